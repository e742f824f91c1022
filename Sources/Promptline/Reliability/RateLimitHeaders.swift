/// The `anthropic-ratelimit-*` figures of one API response.
///
/// Every response (successes and errors alike) carries, for each rate-limited dimension,
/// `anthropic-ratelimit-<dimension>-limit`, `-remaining` and `-reset`, where `<dimension>` is
/// `requests`, `tokens`, `input-tokens` or `output-tokens`. A dimension is present here only
/// when both its `-limit` and `-remaining` parse as integers; `-reset` is optional.
public struct RateLimitHeaders: Sendable, Equatable {
    /// One dimension's figures.
    public struct Dimension: Sendable, Equatable {
        /// The per-minute limit currently in force (it may change during a job).
        public var limit: Int
        /// What the organisation has left in this dimension when the response was produced.
        public var remaining: Int
        /// When the dimension is fully replenished, in seconds since 1970 (nil if absent or unparsable).
        public var reset: Double?

        /// Creates a dimension's figures.
        public init(limit: Int, remaining: Int, reset: Double? = nil) {
            self.limit = limit
            self.remaining = remaining
            self.reset = reset
        }
    }

    /// `anthropic-ratelimit-requests-*`.
    public var requests: Dimension?
    /// `anthropic-ratelimit-tokens-*` (the combined input + output figure, when the API gives it).
    public var tokens: Dimension?
    /// `anthropic-ratelimit-input-tokens-*`.
    public var inputTokens: Dimension?
    /// `anthropic-ratelimit-output-tokens-*`.
    public var outputTokens: Dimension?

    /// Creates a set of figures directly (mostly for tests and simulators).
    public init(requests: Dimension? = nil, tokens: Dimension? = nil,
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
    public static func parse(_ headers: [(String, String)]) -> RateLimitHeaders? {
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
            return Dimension(limit: limit, remaining: remaining,
                             reset: values["\(name)-reset"].flatMap(parseRFC3339))
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

    /// Parses an RFC 3339 timestamp (`2026-11-29T04:05:06Z`, `2026-11-29T04:05:06.25Z`,
    /// `2026-11-29T06:05:06+02:00`; `t`/`z` and a space separator accepted) into seconds since
    /// 1970-01-01T00:00:00Z. Nil when it is not such a timestamp.
    public static func parseRFC3339(_ text: String) -> Double? {
        let bytes = Array(trimmed(text).utf8)
        var index = 0

        func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += count
            return value
        }
        func expect(_ allowed: [UInt8]) -> Bool {
            guard index < bytes.count, allowed.contains(bytes[index]) else { return false }
            index += 1
            return true
        }

        guard let year = digits(4), expect([0x2D]), let month = digits(2), expect([0x2D]),
              let day = digits(2), expect([0x54, 0x74, 0x20]),  // T t space
              let hour = digits(2), expect([0x3A]), let minute = digits(2), expect([0x3A]),
              let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day),
              hour <= 23, minute <= 59, second <= 60  // 60: a leap second
        else { return nil }

        var fraction = 0.0
        if index < bytes.count, bytes[index] == 0x2E {  // .
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }

        var offset = 0
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case 0x5A, 0x7A:  // Z z
            index += 1
        case 0x2B, 0x2D:  // + -
            let sign = bytes[index] == 0x2B ? 1 : -1
            index += 1
            guard let offsetHours = digits(2), expect([0x3A]), let offsetMinutes = digits(2),
                  offsetHours <= 23, offsetMinutes <= 59
            else { return nil }
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        default:
            return nil
        }
        guard index == bytes.count else { return nil }

        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Double(seconds) + fraction
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
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
