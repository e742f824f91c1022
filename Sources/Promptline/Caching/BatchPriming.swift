/// Where each record's prefix goes on the Batches backend: a pure plan, fed records in input
/// order, with times in wall-clock seconds (the batch phase's time, ``WallClock``).
///
/// Cache hits inside one batch are best effort (the docs: typically 30–98 %), while an entry that
/// an earlier batch wrote is found. So a prefix that recurs is primed before the batch that reads
/// it is created: its second record goes alone into a priming batch with a one-hour breakpoint,
/// and the batch holding the others is created once that batch has ended. The first record seen
/// with a prefix goes as written (a write pays back only when read, and it is not yet known that
/// one will be). A prefix primed within ``freshFor`` is not primed again.
struct BatchPriming: Sendable {
    /// What to do with one record.
    enum Placement: Equatable, Sendable {
        /// Into the batch as written.
        case plain
        /// Into the priming batch, with breakpoints on these levels (indices into the record's levels).
        case primer(levels: [Int])
        /// Into the batch, with breakpoints on these levels: it reads what the priming batch wrote.
        case member(levels: [Int])
    }

    /// How long a primed prefix is trusted to be in the cache: the one-hour lifetime, less a margin
    /// for the time a batch takes to start reading it.
    static let freshFor = 50.0 * 60

    private var seen: [CachePrefix.ID: Int] = [:]
    /// When each prefix was primed (its priming batch ended).
    private var primedAt: [CachePrefix.ID: Double] = [:]
    /// Prefixes with a record in the priming batch being built.
    private(set) var priming: Set<CachePrefix.ID> = []

    /// The placement of a record whose prefix has these levels, at `now`.
    mutating func place(_ levels: [CachePrefix.Level], now: Double) -> Placement {
        for level in levels { seen[level.id, default: 0] += 1 }
        let marked = levels.indices.filter { index in
            let id = levels[index].id
            return seen[id, default: 0] >= 2 || isFresh(id, now: now) || priming.contains(id)
        }
        guard let deepest = marked.last else { return .plain }
        let id = levels[deepest].id
        if isFresh(id, now: now) || priming.contains(id) { return .member(levels: marked) }
        priming.insert(id)
        return .primer(levels: marked)
    }

    /// The priming batch has ended (or was given up on at `now`): its prefixes count as primed.
    mutating func primed(now: Double) {
        for id in priming { primedAt[id] = now }
        priming.removeAll()
    }

    private func isFresh(_ id: CachePrefix.ID, now: Double) -> Bool {
        primedAt[id].map { now - $0 < Self.freshFor } ?? false
    }
}
