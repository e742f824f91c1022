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
        var values: [String: String] = [:]
        for (name, value) in headers {
            let name = name.lowercased()
            guard name.hasPrefix(prefix) else { continue }
            values[String(name.dropFirst(prefix.count))] = trimmed(value)
        }
        guard !values.isEmpty else { return nil }

        func dimension(_ name: String) -> Dimension? {
            guard let limit = values["\(name)-limit"].flatMap({ Int($0) }),
                  let remaining = values["\(name)-remaining"].flatMap({ Int($0) })
            else { return nil }
            return Dimension(limit: limit, remaining: remaining)
        }

        let result = RateLimitHeaders(
            requests: dimension("requests"),
            tokens: dimension("tokens"),
            inputTokens: dimension("input-tokens"),
            outputTokens: dimension("output-tokens"))
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
