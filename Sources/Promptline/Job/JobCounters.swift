import Synchronization

/// Counters the concurrent request tasks update while a job runs.
final class JobCounters: Sendable {
    /// A snapshot of the counters.
    struct Values: Sendable, Equatable {
        var requestsSent = 0
        var retries = 0
        var rateLimited = 0
        var inputTokens = 0
        var outputTokens = 0
        /// Keys found in flight from a process that died (possibly billed twice).
        var interrupted = 0
        /// Records waiting to go round their degradation chain again (transient failures, open breakers).
        var waiting = 0
        /// Records ended `errored` as poison records.
        var poisonRecords = 0
        /// Tokens by the model that answered.
        var tokensByModel: [String: TokenCount] = [:]
        /// `usage.cache_creation_input_tokens` and `cache_read_input_tokens`, summed.
        var cacheCreationInputTokens = 0
        var cacheReadInputTokens = 0
        /// For each model asked, the ids the responses named (dated snapshots of an alias).
        var answeringModels: [String: Set<String>] = [:]
        /// Seconds from send to answer of the successful requests, summed per model, and their number:
        /// the latency a deadline job's plan remembers.
        var latencySeconds: [String: Double] = [:]
        var latencySamples: [String: Int] = [:]
    }

    private let state = Mutex(Values())

    init() {}

    /// The current values.
    var values: Values { state.withLock { $0 } }

    func update(_ body: (inout Values) -> Void) {
        state.withLock { body(&$0) }
    }
}
