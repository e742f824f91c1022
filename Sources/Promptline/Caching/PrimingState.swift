/// Who sends first with a new prefix, and what the other records that share it do meanwhile: a
/// pure state machine on the job's clock.
///
/// A prefix (``CachePrefix/Level``, per model) gets a breakpoint only once it recurs: the first
/// record seen with it is sent as written, since a cache write costs more than a plain send and
/// pays back only when read. The first request sent with the breakpoint goes alone (``Admission/prime``);
/// the others wait for its answer, bounded by `primeWait` so a slow first answer cannot stall
/// the job, and then read what it wrote. Requests sent together before that answer would all
/// pay for a write. A primer that fails gives the role to the next request; an entry not used
/// for its lifetime is primed again; a prefix the API did not cache (no write, no read: shorter
/// than the minimum by the API's own count) is sent plainly from then on.
struct PrimingState: Sendable {
    /// A prefix on one model (caches are per model).
    struct Key: Hashable, Sendable {
        let model: String
        let prefix: CachePrefix.ID
    }

    /// What one request does with the prefix levels it could mark.
    enum Admission: Equatable, Sendable {
        /// Send as written: no level recurs (yet), or the API does not cache it.
        case plain
        /// Send with breakpoints on `levels` (indices into the levels asked about), alone: this request writes.
        case prime(levels: [Int])
        /// Send with breakpoints on `levels`; `expectRead` when the last answer read the deepest one
        /// from the cache (so its tokens will not count toward the input-token limit).
        case read(levels: [Int], expectRead: Bool)
        /// Wait for the primer's answer (the key's `generation` changes) or until `until`, then ask again.
        case wait(key: Key, generation: Int, until: JobClock.Instant)
    }

    enum Phase: Equatable, Sendable {
        /// Not in the cache as far as the job knows.
        case cold
        /// A primer is in flight since then.
        case priming(since: JobClock.Instant)
        /// Written or read at `lastUsed`; `readSeen` when the last answer read it.
        case warm(lastUsed: JobClock.Instant, readSeen: Bool)
        /// The API cached nothing with this breakpoint.
        case uncacheable
    }

    struct Entry: Equatable, Sendable {
        var phase = Phase.cold
        /// Changes whenever waiters should ask again.
        var generation = 0
    }

    /// The lifetime the breakpoints ask for.
    let lifetime: CacheLifetime
    /// Longest wait for a primer's answer.
    let primeWait: Duration
    /// An entry is primed again this long before its lifetime would end (the API's clock starts
    /// at its response, the job's when the answer arrives).
    static let expiryMargin = Duration.seconds(30)
    private(set) var entries: [Key: Entry] = [:]
    /// Records claimed with each prefix, whatever their model (a record that falls back to another
    /// model still shares its prefix with the others).
    private(set) var seen: [CachePrefix.ID: Int] = [:]

    init(lifetime: CacheLifetime, primeWait: Duration) {
        self.lifetime = lifetime
        self.primeWait = primeWait
    }

    /// Counts a record claimed with these prefixes (before it is sent).
    mutating func note(_ prefixes: [CachePrefix.ID]) {
        for prefix in prefixes { seen[prefix, default: 0] += 1 }
    }

    /// The admission of one request whose prefix levels are `keys` (shallowest first).
    mutating func admit(_ keys: [Key], now: JobClock.Instant) -> Admission {
        for key in keys { expireIfStale(key, now: now) }
        // Levels worth a breakpoint: recurring and not known uncacheable; the deepest decides.
        let marked = keys.indices.filter { index in
            let phase = entries[keys[index]]?.phase ?? .cold
            return phase != .uncacheable && (seen[keys[index].prefix, default: 0] >= 2 || phase != .cold)
        }
        guard let deepest = marked.last else { return .plain }
        let key = keys[deepest]
        var entry = entries[key, default: Entry()]
        switch entry.phase {
        case .cold:
            entry.phase = .priming(since: now)
            entries[key] = entry
            return .prime(levels: marked)
        case .priming(let since):
            if now - since < primeWait { return .wait(key: key, generation: entry.generation, until: since + primeWait) }
            // The primer is slow: go on with the breakpoint (a read if it has answered by then, else a write).
            return .read(levels: marked, expectRead: false)
        case .warm(_, let readSeen):
            return .read(levels: marked, expectRead: readSeen)
        case .uncacheable:
            return .plain
        }
    }

    private mutating func expireIfStale(_ key: Key, now: JobClock.Instant) {
        guard case .warm(let lastUsed, _)? = entries[key]?.phase, now - lastUsed >= lifetime.duration - Self.expiryMargin else { return }
        entries[key]?.phase = .cold
    }

    /// An answer to a request sent with breakpoints on `keys`: the cache tokens it reported.
    /// Returns the keys whose waiters should ask again.
    mutating func answered(_ keys: [Key], written: Int, read: Int, now: JobClock.Instant) -> [Key] {
        for key in keys {
            var entry = entries[key, default: Entry()]
            entry.phase = written == 0 && read == 0 ? .uncacheable : .warm(lastUsed: now, readSeen: read > 0)
            entry.generation += 1
            entries[key] = entry
        }
        return keys
    }

    /// A request sent with breakpoints on `keys` that got no answer (failed, cancelled). A primer
    /// gives its role back: the next request primes. Returns the keys whose waiters should ask again.
    mutating func abandoned(_ keys: [Key], primed: Bool) -> [Key] {
        guard primed, let key = keys.last, case .priming? = entries[key]?.phase else { return [] }
        entries[key]?.phase = .cold
        entries[key]?.generation += 1
        return [key]
    }

    /// The current generation of `key` (waiters compare it with the one they were given).
    func generation(of key: Key) -> Int { entries[key]?.generation ?? 0 }
}
