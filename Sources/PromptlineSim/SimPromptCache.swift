/// The simulated prompt cache, a pure value with injected time (unix seconds) so tests need no clock.
///
/// A lookup (when a request arrives) reads the longest cached prefix among the prompt's
/// candidates (``SimCachePrompt``) and refreshes that entry's lifetime; the part from there to
/// each breakpoint whose prefix reaches the model's minimum is to be written. The writes are
/// inserted by ``commit(_:writer:now:)`` when the answer is sent, so requests that arrive before
/// the first answer all miss and all write, as the API documents (API-NOTES §11).
///
/// Entries live 5 minutes or 1 hour from their write or last read. Expired ones are dropped when a
/// lookup meets them and whenever the cache passes its capacity, which also evicts the entries
/// closest to expiry, so memory stays bounded.
struct SimPromptCache: Sendable {
    /// Who wrote an entry: a Messages request, or an item of the batch with this id.
    enum Writer: Sendable, Equatable {
        case messages
        case batch(String)
    }

    /// Who looks an entry up.
    enum Reader: Sendable, Equatable {
        /// A Messages request: it reads every live entry.
        case messages
        /// An item of batch `id`, best effort as the API's batches (API-NOTES §11): it reads what
        /// other batches wrote and what Messages requests wrote at least
        /// ``batchMessagesDelay`` seconds before, and what its own batch wrote only when
        /// `readsOwnBatch` (a draw the caller makes).
        case batch(id: String, readsOwnBatch: Bool)
    }

    /// One cached prefix.
    struct Entry: Sendable, Equatable {
        var expiresAt: Double
        var ttl: SimCacheTTL
        var writer: Writer
        var writtenAt: Double
    }

    /// Default most entries kept.
    static let defaultCapacity = 100_000
    /// How old a Messages request's write must be before a batch reads it: users measured that a
    /// batch did not read a prefix written one second before (anthropics/skills #1475).
    static let batchMessagesDelay: Double = 30

    /// Most entries kept.
    let capacity: Int
    private(set) var entries: [SimCacheKey: Entry] = [:]

    /// An empty cache holding at most `capacity` entries.
    init(capacity: Int = defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    /// What a request with `prompt` and `inputTokens` of input reads and would write at `now`.
    /// Refreshes the entry it reads. The cached part never exceeds `inputTokens - 1` (the request
    /// has at least one uncached token), writes trimmed first.
    mutating func lookup(_ prompt: SimCachePrompt, inputTokens: Int, reader: Reader = .messages, now: Double) -> SimCacheLookup {
        var read: SimCachePrompt.Prefix?
        for candidate in prompt.candidates {
            guard let entry = entries[candidate.key] else { continue }
            if entry.expiresAt <= now {
                entries[candidate.key] = nil
                continue
            }
            guard Self.isVisible(entry, to: reader, now: now) else { continue }
            entries[candidate.key]?.expiresAt = now + entry.ttl.seconds
            read = candidate
            break
        }
        var result = SimCacheLookup(inputTokens: inputTokens)
        let readBlock = read?.block ?? -1
        var covered = read?.tokens ?? 0
        // Prefix sizes grow along the prompt, so the breakpoints below the minimum come first and
        // their blocks are written with the next one that reaches it.
        for breakpoint in prompt.breakpoints
        where breakpoint.prefix.block > readBlock && breakpoint.prefix.tokens >= prompt.minimumTokens {
            let written = breakpoint.prefix.tokens - covered
            switch breakpoint.ttl {
            case .fiveMinutes: result.write5mTokens += written
            case .oneHour: result.write1hTokens += written
            }
            covered = breakpoint.prefix.tokens
            result.writes.append(SimCacheLookup.Write(key: breakpoint.prefix.key, ttl: breakpoint.ttl))
        }
        let limit = max(0, inputTokens - 1)
        result.readTokens = min(read?.tokens ?? 0, limit)
        result.write5mTokens = min(result.write5mTokens, limit - result.readTokens)
        result.write1hTokens = min(result.write1hTokens, limit - result.readTokens - result.write5mTokens)
        return result
    }

    /// Inserts a lookup's writes, readable from now on: called when the answer that wrote them is sent.
    mutating func commit(_ lookup: SimCacheLookup, writer: Writer = .messages, now: Double) {
        for write in lookup.writes {
            entries[write.key] = Entry(expiresAt: now + write.ttl.seconds, ttl: write.ttl, writer: writer, writtenAt: now)
        }
        if entries.count > capacity { evict(now: now) }
    }

    /// Drops the expired entries and, if that leaves more than 90 % of the capacity, the entries
    /// closest to expiry down to 90 %: the sort then runs once per tenth of the capacity inserted.
    private mutating func evict(now: Double) {
        entries = entries.filter { $0.value.expiresAt > now }
        let keep = capacity * 9 / 10
        guard entries.count > keep else { return }
        let kept = entries.sorted { $0.value.expiresAt > $1.value.expiresAt }.prefix(keep)
        entries = Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
    }

    private static func isVisible(_ entry: Entry, to reader: Reader, now: Double) -> Bool {
        guard case .batch(let id, let readsOwnBatch) = reader else { return true }
        switch entry.writer {
        case .messages: return now - entry.writtenAt >= batchMessagesDelay
        case .batch(let writer): return writer != id || readsOwnBatch
        }
    }
}
