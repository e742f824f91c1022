/// Counters served by `GET /_sim/stats`.
public struct SimStats: Sendable, Codable, Equatable {
    /// Every `/v1/messages` request received, faulted ones included.
    public var requests: Int = 0
    /// Responses by HTTP status (`"reset"` and `"hang"` for answers without a status).
    public var byStatus: [String: Int] = [:]
    /// Responses by model, then by status.
    public var byModel: [String: [String: Int]] = [:]
    /// Parsed message requests by fingerprint.
    public var byFingerprint: [String: Int] = [:]
    /// Successful (200) answers by the unix second they were admitted.
    public var acceptedPerSecond: [String: Int] = [:]
    /// The same, per model.
    public var acceptedPerSecondByModel: [String: [String: Int]] = [:]
    /// Tokens billed for successful answers, by model (the name the request asked), then by backend
    /// (``messagesBackend``, ``batchBackend``; a backend appears once it billed an answer).
    public var billed: [String: [String: SimBilledTokens]] = [:]

    /// The `billed` key of answers to `POST /v1/messages`.
    public static let messagesBackend = "messages"
    /// The `billed` key of succeeded batch results.
    public static let batchBackend = "batch"

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
    public init() {}

    mutating func record(outcome: SimOutcome, model: String?) {
        let key = outcome.description
        self.byStatus[key, default: 0] += 1
        if let model {
            self.byModel[model, default: [:]][key, default: 0] += 1
        }
    }
}
