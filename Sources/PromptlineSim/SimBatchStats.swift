/// Counters of the simulated Message Batches API, served by `GET /_sim/batches`.
struct SimBatchStats: Sendable, Codable, Equatable {
    /// `POST /v1/messages/batches` requests received (refused ones included).
    var creates = 0
    /// Batches created.
    var created = 0
    /// Creates whose answer was held (`hold_creates`).
    var held = 0
    /// Requests in each batch created, by batch id.
    var requestsByBatch: [String: Int] = [:]
    /// `GET /v1/messages/batches/{id}` calls in all.
    var polls = 0
    /// Retrieve calls by batch id.
    var pollsByBatch: [String: Int] = [:]
    /// When each batch was retrieved (unix seconds), by batch id.
    var pollTimes: [String: [Double]] = [:]
    /// `GET /v1/messages/batches` calls.
    var lists = 0
    /// `POST /v1/messages/batches/{id}/cancel` calls (refused ones included).
    var cancels = 0
    /// When each canceled batch's cancel was initiated (unix seconds), by batch id.
    var cancelTimes: [String: Double] = [:]
    /// Requests of each batch that finished with their own result (`succeeded` or `errored`) so far,
    /// by batch id; for a canceled batch, those that finished before the cancel.
    var finishedByBatch: [String: Int] = [:]
    /// Requests of each canceled batch that ended `canceled`, by batch id.
    var canceledByBatch: [String: Int] = [:]
    /// Requests of each batch billed (`succeeded`) so far, by batch id.
    var billedByBatch: [String: Int] = [:]
    /// `GET /v1/messages/batches/{id}/results` calls answered with results.
    var resultsDownloads = 0

    enum CodingKeys: String, CodingKey {
        case creates, created, held
        case requestsByBatch = "requests_by_batch"
        case polls
        case pollsByBatch = "polls_by_batch"
        case pollTimes = "poll_times"
        case lists, cancels
        case cancelTimes = "cancel_times"
        case finishedByBatch = "finished_by_batch"
        case canceledByBatch = "canceled_by_batch"
        case billedByBatch = "billed_by_batch"
        case resultsDownloads = "results_downloads"
    }

    /// Empty counters.
    init() {}
}
