/// The final answer for one key, as the store holds it and as output lines are built from it.
struct StoredAnswer: Sendable, Equatable {
    /// Whether the request ended in an answer or an error.
    enum State: String, Sendable {
        case succeeded
        case errored
        /// Served by the stale or static tier: written as succeeded, but tried again with `--retry-errored`.
        case degraded
    }

    /// The output line's `result.type`.
    var resultType: ResultType { state == .errored ? .errored : .succeeded }

    var state: State
    /// The output line's `result` object, compact JSON.
    var result: [UInt8]
    /// The output line's `served_by` object, compact JSON.
    var servedBy: [UInt8]
    /// The tier that served it.
    var tier: ServedTier
    /// The model that answered, if any.
    var model: String?
    /// The error type that ended it, for errored answers.
    var errorType: String?
    var inputTokens: Int
    var outputTokens: Int
    /// HTTP attempts made for it.
    var attempts: Int
    /// `usage.cache_creation_input_tokens`, of which `cacheCreation1hTokens` with the one-hour lifetime.
    var cacheCreationTokens = 0
    var cacheCreation1hTokens = 0
    /// `usage.cache_read_input_tokens`.
    var cacheReadTokens = 0
    /// The answer's `stop_reason`, for answers a model gave.
    var stopReason: String?
    /// For a JSON request: what its output line adds (`parsed` or `parse_error`, raised
    /// `max_tokens`). Built from stored answers by ``StructuredChain``, never stored itself.
    var structured: StructuredPresentation?

    /// The answer's usage.
    var tokens: TokenCount {
        TokenCount(
            input: inputTokens, output: outputTokens, cacheCreation: cacheCreationTokens, cacheCreation1h: cacheCreation1hTokens,
            cacheRead: cacheReadTokens)
    }

    public init(
        state: State, result: [UInt8], servedBy: [UInt8], tier: ServedTier, model: String?,
        errorType: String?, inputTokens: Int, outputTokens: Int, attempts: Int
    ) {
        self.state = state
        self.result = result
        self.servedBy = servedBy
        self.tier = tier
        self.model = model
        self.errorType = errorType
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.attempts = attempts
    }
}

/// What ``Store/claim(_:model:messagesKey:retryErrored:)`` decided for a key.
enum ClaimOutcome: Sendable, Equatable {
    /// This process holds the lease now; the intent is committed. `interrupted` is true when an
    /// earlier owner died with the request in flight (it may have been billed without an answer).
    case claimed(interrupted: Bool)
    /// The key is already answered.
    case done(StoredAnswer)
    /// Another live process holds the lease until the given time (seconds since 1970).
    case leased(until: Double)
}

/// A job's checkpoint: which output it writes and how far the partial output got.
struct JobCheckpoint: Sendable, Equatable {
    var output: String
    var fingerprint: String
    var recordsWritten: Int
    var outputOffset: Int
    var finished: Bool
    var totalRecords: Int?
}
