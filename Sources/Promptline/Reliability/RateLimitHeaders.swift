/// The `anthropic-ratelimit-*` figures of one API response.
///
/// Every response (successes and errors alike) carries, for each rate-limited dimension,
/// `anthropic-ratelimit-<dimension>-limit`, `-remaining` and `-reset`, where `<dimension>` is
/// `requests`, `tokens`, `input-tokens` or `output-tokens`. A dimension is present here only
/// when both its `-limit` and `-remaining` parse as integers. `-reset` is not read: the limiter
/// models a bucket refilling at limit/60 per second and needs no reset time.
struct RateLimitHeaders: Sendable, Equatable {
    /// One dimension's figures.
    struct Dimension: Sendable, Equatable {
        /// The per-minute limit currently in force (it may change during a job).
        var limit: Int
        /// What the organisation has left in this dimension when the response was produced.
        var remaining: Int

        /// Creates a dimension's figures.
        init(limit: Int, remaining: Int) {
            self.limit = limit
            self.remaining = remaining
        }
    }

    /// `anthropic-ratelimit-requests-*`.
    var requests: Dimension?
    /// `anthropic-ratelimit-tokens-*` (the combined input + output figure, when the API gives it).
    var tokens: Dimension?
    /// `anthropic-ratelimit-input-tokens-*`.
    var inputTokens: Dimension?
    /// `anthropic-ratelimit-output-tokens-*`.
    var outputTokens: Dimension?

    /// Creates a set of figures directly (mostly for tests and simulators).
    init(
        requests: Dimension? = nil, tokens: Dimension? = nil,
        inputTokens: Dimension? = nil, outputTokens: Dimension? = nil
    ) {
        self.requests = requests
        self.tokens = tokens
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    /// `anthropic-ratelimit-`, lower case.
    private static let prefix = Array("anthropic-ratelimit-".utf8)
    /// What follows the prefix, lower case, in the order requests, tokens, input, output; limit
    /// then remaining.
    private static let names: [[UInt8]] = [
        "requests-limit", "requests-remaining", "tokens-limit", "tokens-remaining",
        "input-tokens-limit", "input-tokens-remaining", "output-tokens-limit", "output-tokens-remaining",
    ].map { Array($0.utf8) }

    /// Parses the rate-limit headers of a response (any other header is skipped).
    ///
    /// Header names are matched case-insensitively and values are trimmed. When a header is
    /// repeated, the last occurrence wins. Every response carries these headers, so they are read
    /// byte by byte, with no string made.
    /// - Returns: nil when the response carries no complete dimension (no `anthropic-ratelimit-*`
    ///   header, or none with both a parsable `-limit` and `-remaining`).
    static func parse(_ headers: some Sequence<(String, String)>) -> RateLimitHeaders? {
        // Limit and remaining of the four dimensions, interleaved as `names`.
        var figures = InlineArray<8, Int?>(repeating: nil)
        for (name, value) in headers {
            guard let slot = slot(of: name) else { continue }
            figures[slot] = integer(value)
        }
        func dimension(_ limit: Int?, _ remaining: Int?) -> Dimension? {
            guard let limit, let remaining else { return nil }
            return Dimension(limit: limit, remaining: remaining)
        }
        let result = RateLimitHeaders(
            requests: dimension(figures[0], figures[1]), tokens: dimension(figures[2], figures[3]),
            inputTokens: dimension(figures[4], figures[5]), outputTokens: dimension(figures[6], figures[7]))
        if result.requests == nil, result.tokens == nil, result.inputTokens == nil, result.outputTokens == nil {
            return nil
        }
        return result
    }

    /// The index in ``names`` of a header name (any case), or nil for any other header.
    private static func slot(of name: String) -> Int? {
        var name = name
        return name.withUTF8 { bytes -> Int? in
            guard bytes.count > prefix.count else { return nil }
            // ASCII case-insensitive: setting bit 0x20 lowercases letters and leaves '-' (0x2D)
            // alone; a header name holds no control character that it would turn into one.
            for offset in 0..<prefix.count where bytes[offset] | 0x20 != prefix[offset] { return nil }
            let rest = UnsafeBufferPointer(rebasing: bytes[prefix.count...])
            return names.firstIndex { candidate in
                candidate.count == rest.count && zip(candidate, rest).allSatisfy { $0 == $1 | 0x20 }
            }
        }
    }

    /// A whole number, with an optional sign and white space around it, that fits an `Int`.
    private static func integer(_ text: String) -> Int? {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        guard let first = text.utf8.firstIndex(where: { !isSpace($0) }), let last = text.utf8.lastIndex(where: { !isSpace($0) })
        else { return nil }
        return Int(text[first...last])
    }
}
