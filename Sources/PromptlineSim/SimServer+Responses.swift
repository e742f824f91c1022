import Foundation
import Synchronization
import HTTPTypes
import Hummingbird

extension SimServer {
    static let anthropicVersion = HTTPField.Name("anthropic-version")!
    static let apiKey = HTTPField.Name("x-api-key")!
    static let requestIDHeader = HTTPField.Name("request-id")!
    static let retryAfter = HTTPField.Name("retry-after")!
    static let shouldRetry = HTTPField.Name("x-should-retry")!

    /// A random prefix drawn once per process, so ids of two simulator runs differ.
    private static let requestIDPrefix: String = {
        var generator = SystemRandomNumberGenerator()
        return "req_sim_" + String(generator.next() as UInt64, radix: 16)
    }()
    private static let requestCount = Atomic<UInt64>(0)

    /// A fresh `req_sim_…` id, unique per request: the process's random prefix and a count
    /// (no system call per request).
    static func makeRequestID() -> String {
        let count = requestCount.wrappingAdd(1, ordering: .relaxed).newValue
        return requestIDPrefix + "_" + String(count, radix: 16)
    }

    /// Compact JSON with sorted keys.
    static func encode<Value: Encodable>(_ value: Value) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(value))) ?? []
    }

    /// RFC 3339 time (UTC, whole seconds, rounded up) for a unix time, as
    /// `Date.formatted(.iso8601)` writes it (`2026-11-30T11:35:20Z`), computed directly: every
    /// response carries four of these.
    static func rfc3339(_ time: Double) -> String {
        let seconds = Int(time.rounded(.up))
        let (days, second) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (day, secondOfDay) = second < 0 ? (days - 1, second + 86_400) : (days, second)
        // Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted).
        let shifted = day + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(year)-\(two(month))-\(two(dayOfMonth))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }

    /// An error response in the API's shape with its headers.
    func errorResponse(_ error: SimAPIError, requestID: String, model: String? = nil, now: Double) async -> Response {
        var response = await self.response(
            status: error.status,
            body: Self.encode(SimErrorBody(error, requestID: requestID)),
            requestID: requestID,
            model: model,
            now: now
        )
        if let retryAfter = error.retryAfter {
            response.headers[Self.retryAfter] = String(retryAfter)
        }
        if error.shouldRetry {
            response.headers[Self.shouldRetry] = "true"
        }
        return response
    }

    /// The `anthropic-ratelimit-*` header names, made once: requests, input tokens, output tokens, tokens.
    private static let rateLimitNames: [(limit: HTTPField.Name, remaining: HTTPField.Name, reset: HTTPField.Name)] =
        ["requests", "input-tokens", "output-tokens", "tokens"].map { dimension in
            (
                HTTPField.Name("anthropic-ratelimit-\(dimension)-limit")!,
                HTTPField.Name("anthropic-ratelimit-\(dimension)-remaining")!,
                HTTPField.Name("anthropic-ratelimit-\(dimension)-reset")!
            )
        }

    /// A JSON response with `request-id`, `content-type` and every rate-limit header (those of
    /// `model`'s limits, as the API reports the limits of the model class that answered).
    func response(status: Int, body: [UInt8], requestID: String, model: String? = nil, now: Double) async -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[Self.requestIDHeader] = requestID
        let snapshots = await self.state.rateLimitSnapshots(model: model, now: now)
        for (names, snapshot) in zip(
            Self.rateLimitNames, [snapshots.requests, snapshots.inputTokens, snapshots.outputTokens, snapshots.tokens])
        {
            headers.append(HTTPField(name: names.limit, value: String(snapshot.limit)))
            headers.append(HTTPField(name: names.remaining, value: String(snapshot.remaining)))
            headers.append(HTTPField(name: names.reset, value: Self.rfc3339(snapshot.reset)))
        }
        return Response(
            status: HTTPResponse.Status(code: status, reasonPhrase: Self.reasonPhrase(status)),
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 529: return "Overloaded"
        default: return HTTPResponse.Status(code: status).reasonPhrase
        }
    }
}
