/// The `anthropic-ratelimit-*` figures of one API response.
///
/// Every response (successes and errors alike) carries, for each rate-limited dimension,
/// `anthropic-ratelimit-<dimension>-limit`, `-remaining` and `-reset`, where `<dimension>` is
/// `requests`, `tokens`, `input-tokens` or `output-tokens`. A dimension is present here only
/// when both its `-limit` and `-remaining` parse as integers. `-reset` is not read: the limiter
/// models a bucket refilling at limit/60 per second and needs no reset time.
public struct RateLimitHeaders: Sendable, Equatable {
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
    init(requests: Dimension? = nil, tokens: Dimension? = nil,
                inputTokens: Dimension? = nil, outputTokens: Dimension? = nil) {
        self.requests = requests
        self.tokens = tokens
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    private static let prefix = "anthropic-ratelimit-"

    /// Parses the rate-limit headers of a response.
    ///
    /// Header names are matched case-insensitively and values are trimmed. When a header is
    /// repeated, the last occurrence wins.
    /// - Returns: nil when the response carries no complete dimension (no `anthropic-ratelimit-*`
    ///   header, or none with both a parsable `-limit` and `-remaining`).
    static func parse(_ headers: [(String, String)]) -> RateLimitHeaders? {
        // Limit and remaining of the four dimensions, in the order requests, tokens, input, output
        // (one pass, no dictionary: every response carries these headers).
        var limits: [Int?] = [nil, nil, nil, nil]
        var remaining: [Int?] = [nil, nil, nil, nil]
        var seen = false
        for (name, value) in headers {
            let name = name.utf8.contains(where: { (0x41...0x5A).contains($0) }) ? name.lowercased() : name
            guard name.hasPrefix(prefix) else { continue }
            seen = true
            let figure = Int(trimmed(value))
            switch name.dropFirst(prefix.count) {
            case "requests-limit": limits[0] = figure
            case "requests-remaining": remaining[0] = figure
            case "tokens-limit": limits[1] = figure
            case "tokens-remaining": remaining[1] = figure
            case "input-tokens-limit": limits[2] = figure
            case "input-tokens-remaining": remaining[2] = figure
            case "output-tokens-limit": limits[3] = figure
            case "output-tokens-remaining": remaining[3] = figure
            default: continue
            }
        }
        guard seen else { return nil }

        func dimension(_ index: Int) -> Dimension? {
            guard let limit = limits[index], let remaining = remaining[index] else { return nil }
            return Dimension(limit: limit, remaining: remaining)
        }

        let result = RateLimitHeaders(
            requests: dimension(0), tokens: dimension(1), inputTokens: dimension(2), outputTokens: dimension(3))
        if result.requests == nil, result.tokens == nil, result.inputTokens == nil, result.outputTokens == nil {
            return nil
        }
        return result
    }

    private static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}
