/// The faults a simulator injects, as read from a scenario JSON file or `PUT /_sim/scenario`.
///
/// Every field is optional; an empty object `{}` is the well-behaved API.
public struct SimScenario: Sendable, Codable, Equatable {
    /// Added latency per message request.
    var latency: Latency?
    /// Probability per request of each fault kind (`"500"`, `"529"`, `"spend_cap"`, …).
    public var errorRates: [String: Double]?
    /// Windows, relative to when the scenario was set, during which a model fails.
    var outages: [Outage]?
    /// After this many successful requests every request gets the spend-cap 429.
    var spendCapAfter: Int?
    /// Token-bucket rate limits, per minute, for each model separately (the API limits each model class on its own).
    public var rateLimits: RateLimits?
    /// Limits for named models, instead of `rateLimits`.
    var modelRateLimits: [String: RateLimits]?
    /// Error rates for named models, instead of `errorRates` (a sustained brown-out of one model).
    var modelErrorRates: [String: [String: Double]]?
    /// Extra model ids to list and accept, besides the configured ones.
    public var models: [String]?
    /// After this many successful answers, every message request gets this fault (e.g. `billing`).
    var failAfter: FailAfter?
    /// The most ids one page of `GET /v1/models` holds, whatever `limit` asks (to exercise paging).
    var modelsPageSize: Int?
    /// How the Message Batches API behaves (processing time, held creates, expiry).
    public var batches: SimBatchScenario?

    enum CodingKeys: String, CodingKey {
        case latency
        case errorRates = "error_rates"
        case outages
        case spendCapAfter = "spend_cap_after"
        case rateLimits = "rate_limits"
        case modelRateLimits = "model_rate_limits"
        case modelErrorRates = "model_error_rates"
        case models
        case failAfter = "fail_after"
        case modelsPageSize = "models_page_size"
        case batches
    }

    /// After `successes` successful answers, every message request gets fault `kind`.
    public struct FailAfter: Sendable, Codable, Equatable {
        var successes: Int
        var kind: String

        init(successes: Int, kind: String) {
            self.successes = successes
            self.kind = kind
        }
    }

    /// Creates a scenario.
    public init(
        latency: Latency? = nil,
        errorRates: [String: Double]? = nil,
        outages: [Outage]? = nil,
        spendCapAfter: Int? = nil,
        rateLimits: RateLimits? = nil,
        modelRateLimits: [String: RateLimits]? = nil,
        modelErrorRates: [String: [String: Double]]? = nil,
        models: [String]? = nil,
        failAfter: FailAfter? = nil,
        modelsPageSize: Int? = nil,
        batches: SimBatchScenario? = nil
    ) {
        self.modelRateLimits = modelRateLimits
        self.modelErrorRates = modelErrorRates
        self.failAfter = failAfter
        self.modelsPageSize = modelsPageSize
        self.latency = latency
        self.errorRates = errorRates
        self.outages = outages
        self.spendCapAfter = spendCapAfter
        self.rateLimits = rateLimits
        self.models = models
        self.batches = batches
    }

    /// Latency: `fixed_ms`, uniform in `min_ms...max_ms`, or log-normal with `median_ms` and
    /// `p99_ms` (real APIs' long tail: `{"median_ms": 2000, "p99_ms": 6000}`).
    public struct Latency: Sendable, Codable, Equatable {
        var fixedMs: Int?
        var minMs: Int?
        var maxMs: Int?
        var medianMs: Int?
        var p99Ms: Int?

        enum CodingKeys: String, CodingKey {
            case fixedMs = "fixed_ms"
            case minMs = "min_ms"
            case maxMs = "max_ms"
            case medianMs = "median_ms"
            case p99Ms = "p99_ms"
        }

        /// Creates a latency specification.
        init(fixedMs: Int? = nil, minMs: Int? = nil, maxMs: Int? = nil, medianMs: Int? = nil, p99Ms: Int? = nil) {
            self.fixedMs = fixedMs
            self.minMs = minMs
            self.maxMs = maxMs
            self.medianMs = medianMs
            self.p99Ms = p99Ms
        }
    }

    /// A window during which requests for `model` (or every model, `"*"`) fail with `kind`: all of
    /// them (an outage), or the share `rate` of them (a brown-out that starts and ends at given times).
    public struct Outage: Sendable, Codable, Equatable {
        var model: String
        var startS: Double
        var endS: Double
        var kind: String
        /// The share of requests that fail during the window (nil: all).
        var rate: Double?

        enum CodingKeys: String, CodingKey {
            case model
            case startS = "start_s"
            case endS = "end_s"
            case kind
            case rate
        }

        /// Creates an outage (or, with `rate`, a brown-out) window.
        init(model: String, startS: Double, endS: Double, kind: String, rate: Double? = nil) {
            self.model = model
            self.startS = startS
            self.endS = endS
            self.kind = kind
            self.rate = rate
        }

        /// Whether this outage applies to `model` at `elapsed` seconds after the scenario was set.
        func applies(to model: String, elapsed: Double) -> Bool {
            (self.model == "*" || self.model == model) && elapsed >= self.startS && elapsed < self.endS
        }
    }
}

/// Per-minute limits, each optional, as the real API's token buckets.
public struct RateLimits: Sendable, Codable, Equatable {
    /// Requests per minute.
    public var requestsPerMinute: Int?
    /// Input tokens per minute.
    public var inputTokensPerMinute: Int?
    /// Output tokens per minute.
    public var outputTokensPerMinute: Int?
    var tokensPerMinute: Int?

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
