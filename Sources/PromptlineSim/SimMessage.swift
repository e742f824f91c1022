import PromptlineJSON

/// A Messages API response body, as the real API returns it.
public struct SimMessage: Sendable, Codable, Equatable {
    /// A `text` content block.
    public struct TextBlock: Sendable, Codable, Equatable {
        public var text: String
        public var type: String = "text"
    }

    /// Token usage of one answer.
    public struct Usage: Sendable, Codable, Equatable {
        /// `usage.cache_creation`: cache writes by lifetime.
        public struct CacheCreation: Sendable, Codable, Equatable {
            public var ephemeral1hInputTokens: Int = 0
            public var ephemeral5mInputTokens: Int = 0

            enum CodingKeys: String, CodingKey {
                case ephemeral1hInputTokens = "ephemeral_1h_input_tokens"
                case ephemeral5mInputTokens = "ephemeral_5m_input_tokens"
            }
        }

        public var cacheCreation = CacheCreation()
        public var cacheCreationInputTokens: Int = 0
        public var cacheReadInputTokens: Int = 0
        public var inputTokens: Int
        public var outputTokens: Int

        enum CodingKeys: String, CodingKey {
            case cacheCreation = "cache_creation"
            case cacheCreationInputTokens = "cache_creation_input_tokens"
            case cacheReadInputTokens = "cache_read_input_tokens"
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
        }
    }

    public var content: [TextBlock]
    public var id: String
    public var model: String
    public var role: String = "assistant"
    public var stopReason: String = "end_turn"
    /// `stop_details`: set for a refusal (`{"type":"refusal","category":…,"explanation":…}`), left out otherwise.
    public var stopDetails: JSONValue?
    public var stopSequence: String?
    public var type: String = "message"
    public var usage: Usage

    enum CodingKeys: String, CodingKey {
        case content, id, model, role
        case stopReason = "stop_reason"
        case stopDetails = "stop_details"
        case stopSequence = "stop_sequence"
        case type, usage
    }

    /// Creates an answer with one text block.
    public init(id: String, model: String, text: String, inputTokens: Int, outputTokens: Int) {
        self.content = [TextBlock(text: text)]
        self.id = id
        self.model = model
        self.usage = Usage(inputTokens: inputTokens, outputTokens: outputTokens)
    }

    public func encode(to encoder: any Encoder) throws {
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
