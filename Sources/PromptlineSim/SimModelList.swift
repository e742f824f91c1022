/// The body of `GET /v1/models`.
struct SimModelList: Sendable, Codable, Equatable {
    /// One listed model.
    struct Model: Sendable, Codable, Equatable {
        var id: String
        var type: String = "model"
        var displayName: String
        var createdAt: String

        enum CodingKeys: String, CodingKey {
            case id, type
            case displayName = "display_name"
            case createdAt = "created_at"
        }

        /// The model object `GET /v1/models/{id}` answers for `id`.
        init(id: String) {
            self.id = id
            self.displayName = id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
            self.createdAt = "2025-01-01T00:00:00Z"
        }
    }

    var data: [Model]
    var hasMore: Bool = false
    var firstID: String?
    var lastID: String?

    enum CodingKeys: String, CodingKey {
        case data
        case hasMore = "has_more"
        case firstID = "first_id"
        case lastID = "last_id"
    }

    /// Lists `ids` in order.
    init(ids: [String]) {
        self.data = ids.map(Model.init(id:))
        self.firstID = ids.first
        self.lastID = ids.last
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.data, forKey: .data)
        try container.encode(self.hasMore, forKey: .hasMore)
        if let firstID { try container.encode(firstID, forKey: .firstID) } else { try container.encodeNil(forKey: .firstID) }
        if let lastID { try container.encode(lastID, forKey: .lastID) } else { try container.encodeNil(forKey: .lastID) }
    }
}
