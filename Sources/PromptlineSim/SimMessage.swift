import PromptlineJSON

/// A Messages API response body, as the real API returns it.
struct SimMessage: Sendable, Codable, Equatable {
    /// A `text` content block.
    struct TextBlock: Sendable, Codable, Equatable {
        var text: String
        var type: String = "text"
    }

    /// Token usage of one answer.
    struct Usage: Sendable, Codable, Equatable {
        /// `usage.cache_creation`: cache writes by lifetime.
        struct CacheCreation: Sendable, Codable, Equatable {
            var ephemeral1hInputTokens: Int = 0
            var ephemeral5mInputTokens: Int = 0

            enum CodingKeys: String, CodingKey {
                case ephemeral1hInputTokens = "ephemeral_1h_input_tokens"
                case ephemeral5mInputTokens = "ephemeral_5m_input_tokens"
            }
        }

        var cacheCreation = CacheCreation()
        var cacheCreationInputTokens: Int = 0
        var cacheReadInputTokens: Int = 0
        var inputTokens: Int
        var outputTokens: Int

        enum CodingKeys: String, CodingKey {
            case cacheCreation = "cache_creation"
            case cacheCreationInputTokens = "cache_creation_input_tokens"
            case cacheReadInputTokens = "cache_read_input_tokens"
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
        }
    }

    var content: [TextBlock]
    var id: String
    var model: String
    var role: String = "assistant"
    var stopReason: String = "end_turn"
    /// `stop_details`: set for a refusal (`{"type":"refusal","category":…,"explanation":…}`), left out otherwise.
    var stopDetails: JSONValue?
    var stopSequence: String?
    var type: String = "message"
    var usage: Usage

    enum CodingKeys: String, CodingKey {
        case content, id, model, role
        case stopReason = "stop_reason"
        case stopDetails = "stop_details"
        case stopSequence = "stop_sequence"
        case type, usage
    }

    /// Creates an answer with one text block.
    init(id: String, model: String, text: String, inputTokens: Int, outputTokens: Int) {
        self.content = [TextBlock(text: text)]
        self.id = id
        self.model = model
        self.usage = Usage(inputTokens: inputTokens, outputTokens: outputTokens)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.content, forKey: .content)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.model, forKey: .model)
        try container.encode(self.role, forKey: .role)
        try container.encode(self.stopReason, forKey: .stopReason)
        try container.encodeIfPresent(self.stopDetails, forKey: .stopDetails)
        // The real API sends an explicit null.
        if let stopSequence = self.stopSequence {
            try container.encode(stopSequence, forKey: .stopSequence)
        } else {
            try container.encodeNil(forKey: .stopSequence)
        }
        try container.encode(self.type, forKey: .type)
        try container.encode(self.usage, forKey: .usage)
    }
}
