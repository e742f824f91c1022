/// Counters served by `GET /_sim/stats`.
struct SimStats: Sendable, Codable, Equatable {
    /// Every `/v1/messages` request received, faulted ones included.
    var requests: Int = 0
    /// Responses by HTTP status (`"reset"` and `"hang"` for answers without a status).
    var byStatus: [String: Int] = [:]
    /// Responses by model, then by status.
    var byModel: [String: [String: Int]] = [:]
    /// Parsed message requests by fingerprint.
    var byFingerprint: [String: Int] = [:]
    /// Successful (200) answers by the unix second they were admitted.
    var acceptedPerSecond: [String: Int] = [:]
    /// The same, per model.
    var acceptedPerSecondByModel: [String: [String: Int]] = [:]
    /// Tokens billed for successful answers, by model (the name the request asked), then by backend
    /// (``messagesBackend``, ``batchBackend``; a backend appears once it billed an answer).
    var billed: [String: [String: SimBilledTokens]] = [:]

    /// The `billed` key of answers to `POST /v1/messages`.
    static let messagesBackend = "messages"
    /// The `billed` key of succeeded batch results.
    static let batchBackend = "batch"

    enum CodingKeys: String, CodingKey {
        case requests
        case byStatus = "by_status"
        case byModel = "by_model"
        case byFingerprint = "by_fingerprint"
        case acceptedPerSecond = "accepted_per_second"
        case acceptedPerSecondByModel = "accepted_per_second_by_model"
        case billed
    }

    /// Empty counters.
    init() {}

    mutating func record(outcome: SimOutcome, model: String?) {
        let key = outcome.description
        self.byStatus[key, default: 0] += 1
        if let model {
            self.byModel[model, default: [:]][key, default: 0] += 1
        }
    }
}
