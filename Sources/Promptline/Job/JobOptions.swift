/// How a job shows its progress on stderr.
public enum ProgressMode: Sendable, Equatable {
    /// One line redrawn in place (a terminal).
    case live
    /// A plain line every so often (make, CI logs).
    case plain(every: Duration)
    /// No progress lines.
    case none
}

/// Everything `promptline run` was told, as the pipeline needs it.
public struct JobOptions: Sendable {
    /// Input files in order; `-` is standard input.
    var inputs: [String]
    /// The final output path (`.gz` means gzip).
    var output: String
    var defaults: RecordDefaults
    /// The degradation chain after each record's primary model, in order.
    public var fallbackModels: [String] = []
    /// Most requests in flight.
    public var concurrency = 16
    /// One attempt's limit (connect + response).
    public var timeout = Duration.seconds(600)
    /// Deadline per record across all attempts and models.
    public var recordTimeout = Duration.seconds(3600)
    /// Retries per model before falling back.
    public var maxRetries = 2
    /// The first invalid line stops the job (exit 65).
    public var strict = false
    /// Longest input line accepted.
    public var maxLineBytes = JobOptions.defaultMaxLineBytes
    /// The default longest line: the Messages API's request limit (32 MB), so a record with a large
    /// image or PDF is sent and judged by the API, not refused by promptline.
    public static let defaultMaxLineBytes = 32 << 20
    /// Records that ended `errored` in an earlier run are tried again.
    public var retryErrored = false
    /// Serve an earlier stored answer to the same messages under other parameters when no model can.
    public var allowStale = false
    /// The last degradation tier's text; off when nil.
    public var staticResponse: String?
    /// How long records wait while every model they can use is unavailable, before the job stops with 75.
    public var maxOutage = Duration.seconds(600)
    /// Circuit breaker tuning.
    public var breaker = CircuitBreaker.Configuration()
    /// False turns the circuit breakers off (to measure what they buy).
    public var breakersEnabled = true
    /// Known rate limits (per minute); otherwise learned from response headers.
    public var requestsPerMinute: Int?
    /// Known input-token limit per minute (`--itpm`).
    public var inputTokensPerMinute: Int?
    /// Known output-token limit per minute (`--otpm`).
    public var outputTokensPerMinute: Int?
    /// False ignores the rate-limit headers (to measure what they buy).
    public var rateLimitHeaders = true
    /// Cache breakpoints on prefixes records share (`--prompt-cache`).
    public var promptCache = PromptCacheMode.auto
    /// The longest a request waits for the answer of the request priming its prefix, before it
    /// goes with the breakpoint anyway (a slow first answer must not stall the job).
    public var primeWait = Duration.seconds(15)
    /// When the job must be done (`--deadline`): the messages backend stops dispatching then (exit
    /// 75, resumable); a batches job switches what its batches have not answered to Messages at
    /// the latest safe moment before it.
    public var deadline: Deadline?
    /// Prices for cost estimates.
    public var prices = PriceTable.builtIn
    /// Stop dispatching before the estimated spend of this run would pass this many dollars.
    public var budgetUSD: Double?
    /// Only records whose key falls in shard `index` of `count` (SPEC §8).
    public var shard: Shard?
    /// The time requests in flight get to finish after SIGINT/SIGTERM.
    public var gracePeriod = Duration.seconds(10)
    /// How progress is shown on stderr.
    public var progress = ProgressMode.plain(every: .seconds(5))
    /// Errors only on stderr.
    public var quiet = false

    /// The options of a job reading `inputs` into `output`, with every other option at its default.
    public init(inputs: [String], output: String, defaults: RecordDefaults) {
        self.inputs = inputs
        self.output = output
        self.defaults = defaults
    }
}
