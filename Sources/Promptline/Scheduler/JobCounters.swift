import Synchronization

/// Counters the concurrent request tasks update while a job runs.
public final class JobCounters: Sendable {
    /// A snapshot of the counters.
    public struct Values: Sendable, Equatable {
        public var requestsSent = 0
        public var retries = 0
        public var rateLimited = 0
        public var inputTokens = 0
        public var outputTokens = 0
        /// Keys found in flight from a process that died (possibly billed twice).
        public var interrupted = 0
        /// Records waiting to go round their degradation chain again (transient failures, open breakers).
        public var waiting = 0
        /// Attempts the adaptive throttles held back (they waited and asked again).
        public var throttled = 0
        /// Records ended `errored` as poison records.
        public var poisonRecords = 0
        /// Tokens by the model that answered.
        public var tokensByModel: [String: TokenCount] = [:]
        /// `usage.cache_creation_input_tokens` and `cache_read_input_tokens`, summed.
        public var cacheCreationInputTokens = 0
        public var cacheReadInputTokens = 0
        /// For each model asked, the ids the responses named (dated snapshots of an alias).
        public var answeringModels: [String: Set<String>] = [:]
    }

    private let state = Mutex(Values())

    public init() {}

    /// The current values.
    public var values: Values { state.withLock { $0 } }

    func update(_ body: (inout Values) -> Void) {
        state.withLock { body(&$0) }
    }
}
