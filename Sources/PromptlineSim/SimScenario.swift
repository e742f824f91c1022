/// The faults a simulator injects, as read from a scenario JSON file or `PUT /_sim/scenario`.
///
/// Every field is optional; an empty object `{}` is the well-behaved API.
public struct SimScenario: Sendable, Codable, Equatable {
    /// Added latency per message request.
    public var latency: Latency?
    /// Probability per request of each fault kind (`"500"`, `"529"`, `"spend_cap"`, …).
    public var errorRates: [String: Double]?
    /// Windows, relative to when the scenario was set, during which a model fails.
    public var outages: [Outage]?
    /// After this many successful requests every request gets the spend-cap 429.
    public var spendCapAfter: Int?
    /// Token-bucket rate limits, per minute.
    public var rateLimits: RateLimits?
    /// Extra model ids to list and accept, besides the configured ones.
    public var models: [String]?
    /// How the Message Batches API behaves (processing time, held creates, expiry).
    public var batches: SimBatchScenario?

    enum CodingKeys: String, CodingKey {
        case latency
        case errorRates = "error_rates"
        case outages
        case spendCapAfter = "spend_cap_after"
        case rateLimits = "rate_limits"
        case models
        case batches
    }

    /// Creates a scenario.
    public init(
        latency: Latency? = nil,
        errorRates: [String: Double]? = nil,
        outages: [Outage]? = nil,
        spendCapAfter: Int? = nil,
        rateLimits: RateLimits? = nil,
        models: [String]? = nil,
        batches: SimBatchScenario? = nil
    ) {
        self.latency = latency
        self.errorRates = errorRates
        self.outages = outages
        self.spendCapAfter = spendCapAfter
        self.rateLimits = rateLimits
        self.models = models
        self.batches = batches
    }

    /// Latency: either `fixed_ms`, or uniform in `min_ms...max_ms`.
    public struct Latency: Sendable, Codable, Equatable {
        public var fixedMs: Int?
        public var minMs: Int?
        public var maxMs: Int?

        enum CodingKeys: String, CodingKey {
            case fixedMs = "fixed_ms"
            case minMs = "min_ms"
            case maxMs = "max_ms"
        }

        /// Creates a latency specification.
        public init(fixedMs: Int? = nil, minMs: Int? = nil, maxMs: Int? = nil) {
            self.fixedMs = fixedMs
            self.minMs = minMs
            self.maxMs = maxMs
        }
    }

    /// A window during which requests for `model` (or every model, `"*"`) fail with `kind`.
    public struct Outage: Sendable, Codable, Equatable {
        public var model: String
        public var startS: Double
        public var endS: Double
        public var kind: String

        enum CodingKeys: String, CodingKey {
            case model
            case startS = "start_s"
            case endS = "end_s"
            case kind
        }

        /// Creates an outage window.
        public init(model: String, startS: Double, endS: Double, kind: String) {
            self.model = model
            self.startS = startS
            self.endS = endS
            self.kind = kind
        }

        /// Whether this outage applies to `model` at `elapsed` seconds after the scenario was set.
        public func applies(to model: String, elapsed: Double) -> Bool {
            (self.model == "*" || self.model == model) && elapsed >= self.startS && elapsed < self.endS
        }
    }
}

/// Per-minute limits, each optional, as the real API's token buckets.
public struct RateLimits: Sendable, Codable, Equatable {
    public var requestsPerMinute: Int?
    public var inputTokensPerMinute: Int?
    public var outputTokensPerMinute: Int?
    public var tokensPerMinute: Int?

    enum CodingKeys: String, CodingKey {
        case requestsPerMinute = "requests_per_minute"
        case inputTokensPerMinute = "input_tokens_per_minute"
        case outputTokensPerMinute = "output_tokens_per_minute"
        case tokensPerMinute = "tokens_per_minute"
    }

    /// Creates a set of limits; `nil` means unlimited.
    public init(
        requestsPerMinute: Int? = nil,
        inputTokensPerMinute: Int? = nil,
        outputTokensPerMinute: Int? = nil,
        tokensPerMinute: Int? = nil
    ) {
        self.requestsPerMinute = requestsPerMinute
        self.inputTokensPerMinute = inputTokensPerMinute
        self.outputTokensPerMinute = outputTokensPerMinute
        self.tokensPerMinute = tokensPerMinute
    }
}
