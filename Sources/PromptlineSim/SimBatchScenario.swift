/// How the simulator's Message Batches API behaves (the scenario's `batches` object).
///
/// Every field is optional; without one a batch's requests finish one by one over the 500 ms after
/// it is created, each processed by the same rules as `POST /v1/messages` (markers and
/// `error_rates`), and a cancel ends a batch 500 ms after it is received.
public struct SimBatchScenario: Sendable, Codable, Equatable {
    /// Milliseconds from a batch's creation to its end (default 500); its requests finish evenly
    /// spread over them.
    public var processingMs: Int?
    /// Milliseconds from a cancel to the end of the batch (default 500): the API's `canceling` state.
    public var cancelMs: Int?
    /// The first N batches created never move: no request finishes, and the batch ends only when
    /// canceled (every request `canceled`) or at its expiry, 24 hours after creation.
    public var stallFirst: Int?
    /// The first N creates the server receives create their batch but never answer: the request is
    /// held until the client goes away (or the hang limit), so a test can kill a client in between.
    var holdCreates: Int?
    /// The first N batches created end with every request `expired` (at the end of their processing time).
    var expireFirst: Int?
    /// The probability (0...1, default 0.7) that a request reads a prompt-cache entry written by
    /// another request of the same batch: the docs call batch hits best effort, typically 30–98 %.
    var cacheHitRate: Double?

    enum CodingKeys: String, CodingKey {
        case processingMs = "processing_ms"
        case cancelMs = "cancel_ms"
        case stallFirst = "stall_first"
        case holdCreates = "hold_creates"
        case expireFirst = "expire_first"
        case cacheHitRate = "cache_hit_rate"
    }

    /// Creates a batch scenario.
    public init(
        processingMs: Int? = nil, cancelMs: Int? = nil, stallFirst: Int? = nil, holdCreates: Int? = nil, expireFirst: Int? = nil,
        cacheHitRate: Double? = nil
    ) {
        self.processingMs = processingMs
        self.cancelMs = cancelMs
        self.stallFirst = stallFirst
        self.holdCreates = holdCreates
        self.expireFirst = expireFirst
        self.cacheHitRate = cacheHitRate
    }
}
