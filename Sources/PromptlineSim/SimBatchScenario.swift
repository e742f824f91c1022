/// How the simulator's Message Batches API behaves (the scenario's `batches` object).
///
/// Every field is optional; without one a batch ends 500 ms after it is created, with every
/// request processed by the same rules as `POST /v1/messages` (markers and `error_rates`).
public struct SimBatchScenario: Sendable, Codable, Equatable {
    /// Milliseconds from a batch's creation to its end (default 500).
    public var processingMs: Int?
    /// The first N creates the server receives create their batch but never answer: the request is
    /// held until the client goes away (or the hang limit), so a test can kill a client in between.
    public var holdCreates: Int?
    /// The first N batches created end with every request `expired` (at the end of their processing time).
    public var expireFirst: Int?
    /// The probability (0...1, default 0.7) that a request reads a prompt-cache entry written by
    /// another request of the same batch: the docs call batch hits best effort, typically 30–98 %.
    public var cacheHitRate: Double?

    enum CodingKeys: String, CodingKey {
        case processingMs = "processing_ms"
        case holdCreates = "hold_creates"
        case expireFirst = "expire_first"
        case cacheHitRate = "cache_hit_rate"
    }

    /// Creates a batch scenario.
    public init(processingMs: Int? = nil, holdCreates: Int? = nil, expireFirst: Int? = nil, cacheHitRate: Double? = nil) {
        self.processingMs = processingMs
        self.holdCreates = holdCreates
        self.expireFirst = expireFirst
        self.cacheHitRate = cacheHitRate
    }
}
