/// Tokens of one or more answers, as the API's `usage` reports them.
///
/// `input` is `usage.input_tokens` (the uncached part of the prompt); `cacheCreation` is
/// `cache_creation_input_tokens` (prompt written to the cache, of which `cacheCreation1h` with the
/// one-hour lifetime) and `cacheRead` is `cache_read_input_tokens`.
struct TokenCount: Sendable, Codable, Equatable {
    var input = 0
    var output = 0
    var cacheCreation = 0
    /// The part of `cacheCreation` written with the one-hour lifetime (`cache_creation.ephemeral_1h_input_tokens`).
    var cacheCreation1h = 0
    var cacheRead = 0

    init(input: Int = 0, output: Int = 0, cacheCreation: Int = 0, cacheCreation1h: Int = 0, cacheRead: Int = 0) {
        self.input = input
        self.output = output
        self.cacheCreation = cacheCreation
        self.cacheCreation1h = cacheCreation1h
        self.cacheRead = cacheRead
    }

    /// The whole prompt: uncached input, cache writes and cache reads.
    var promptTokens: Int { input + cacheCreation + cacheRead }

    /// The sum of two counts.
    static func + (lhs: TokenCount, rhs: TokenCount) -> TokenCount {
        var sum = lhs
        sum += rhs
        return sum
    }

    /// Adds another count to this one.
    static func += (lhs: inout TokenCount, rhs: TokenCount) {
        lhs.input += rhs.input
        lhs.output += rhs.output
        lhs.cacheCreation += rhs.cacheCreation
        lhs.cacheCreation1h += rhs.cacheCreation1h
        lhs.cacheRead += rhs.cacheRead
    }

    private enum CodingKeys: String, CodingKey {
        case input, output, cacheCreation, cacheCreation1h, cacheRead
    }

    /// Decodes a count; the cache fields may be absent (summaries stored by older builds).
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        input = try container.decodeIfPresent(Int.self, forKey: .input) ?? 0
        output = try container.decodeIfPresent(Int.self, forKey: .output) ?? 0
        cacheCreation = try container.decodeIfPresent(Int.self, forKey: .cacheCreation) ?? 0
        cacheCreation1h = try container.decodeIfPresent(Int.self, forKey: .cacheCreation1h) ?? 0
        cacheRead = try container.decodeIfPresent(Int.self, forKey: .cacheRead) ?? 0
    }
}
