/// The tokens billed for one model through one backend (`messages` or `batch`), as
/// `GET /_sim/stats` reports them under `billed`: only successful answers are billed, as the API bills.
struct SimBilledTokens: Sendable, Codable, Equatable {
    /// Uncached input tokens (`usage.input_tokens`).
    var inputTokens = 0
    /// Output tokens.
    var outputTokens = 0
    /// Cache writes with the 5-minute lifetime (priced 1.25× input).
    var cacheCreation5mInputTokens = 0
    /// Cache writes with the 1-hour lifetime (priced 2× input).
    var cacheCreation1hInputTokens = 0
    /// Cache reads (priced 0.1× input).
    var cacheReadInputTokens = 0
    /// Successful answers billed.
    var requests = 0

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case cacheCreation5mInputTokens = "cache_creation_5m_input_tokens"
        case cacheCreation1hInputTokens = "cache_creation_1h_input_tokens"
        case cacheReadInputTokens = "cache_read_input_tokens"
        case requests
    }

    /// Nothing billed yet.
    init() {}

    /// Adds one successful answer's usage.
    mutating func add(_ usage: SimMessage.Usage) {
        inputTokens += usage.inputTokens
        outputTokens += usage.outputTokens
        cacheCreation5mInputTokens += usage.cacheCreation.ephemeral5mInputTokens
        cacheCreation1hInputTokens += usage.cacheCreation.ephemeral1hInputTokens
        cacheReadInputTokens += usage.cacheReadInputTokens
        requests += 1
    }
}
