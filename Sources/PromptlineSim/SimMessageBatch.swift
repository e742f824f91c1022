import Foundation

/// A `MessageBatch` object as the API returns it (explicit nulls included).
struct SimMessageBatch: Sendable, Encodable, Equatable {
    /// `request_counts`: every request is `processing` until the whole batch ends.
    struct Counts: Sendable, Codable, Equatable {
        var processing = 0
        var succeeded = 0
        var errored = 0
        var canceled = 0
        var expired = 0
    }

    var id: String
    var processingStatus: String
    var requestCounts: Counts
    var createdAt: String
    var expiresAt: String
    var endedAt: String?
    var cancelInitiatedAt: String?
    var resultsURL: String?

    enum CodingKeys: String, CodingKey {
        case id, type
        case processingStatus = "processing_status"
        case requestCounts = "request_counts"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case endedAt = "ended_at"
        case archivedAt = "archived_at"
        case cancelInitiatedAt = "cancel_initiated_at"
        case resultsURL = "results_url"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode("message_batch", forKey: .type)
        try container.encode(processingStatus, forKey: .processingStatus)
        try container.encode(requestCounts, forKey: .requestCounts)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(expiresAt, forKey: .expiresAt)
        try container.encode(endedAt, forKey: .endedAt)
        try container.encodeNil(forKey: .archivedAt)
        try container.encode(cancelInitiatedAt, forKey: .cancelInitiatedAt)
        try container.encode(resultsURL, forKey: .resultsURL)
    }

    /// RFC 3339 with microseconds, as the API writes it (`2024-09-24T18:37:24.100435Z`).
    static func timestamp(_ time: Double) -> String {
        let whole = time.rounded(.down)
        let micros = min(999_999, Int(((time - whole) * 1_000_000).rounded()))
        let base = Date(timeIntervalSince1970: whole).formatted(.iso8601)  // …:SSZ
        return String(base.dropLast()) + "." + String(format: "%06d", micros) + "Z"
    }
}

/// A page of `GET /v1/messages/batches`.
struct SimBatchPage: Encodable {
    var data: [SimMessageBatch]
    var hasMore: Bool
    var firstID: String?
    var lastID: String?

    enum CodingKeys: String, CodingKey {
        case data
        case hasMore = "has_more"
        case firstID = "first_id"
        case lastID = "last_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(hasMore, forKey: .hasMore)
        try container.encode(firstID, forKey: .firstID)
        try container.encode(lastID, forKey: .lastID)
    }
}
