import Synchronization

/// The one ``SimPromptCache`` of a running simulator, shared by `POST /v1/messages` (through
/// ``SimState``) and the batches (``SimBatches``), which run on different actors: a lock, held only
/// for a lookup or a commit, lets both use it synchronously.
final class SimPromptCacheStore: Sendable {
    private let cache: Mutex<SimPromptCache>

    /// An empty cache of at most `capacity` entries.
    init(capacity: Int = SimPromptCache.defaultCapacity) {
        self.cache = Mutex(SimPromptCache(capacity: capacity))
    }

    /// ``SimPromptCache/lookup(_:inputTokens:reader:now:)``.
    func lookup(_ prompt: SimCachePrompt, inputTokens: Int, reader: SimPromptCache.Reader = .messages, now: Double) -> SimCacheLookup {
        cache.withLock { $0.lookup(prompt, inputTokens: inputTokens, reader: reader, now: now) }
    }

    /// ``SimPromptCache/commit(_:writer:now:)``.
    func commit(_ lookup: SimCacheLookup, writer: SimPromptCache.Writer = .messages, now: Double) {
        guard !lookup.writes.isEmpty else { return }
        cache.withLock { $0.commit(lookup, writer: writer, now: now) }
    }
}
