import Foundation
import HTTPTypes
import Hummingbird

extension SimServer {
    static let anthropicVersion = HTTPField.Name("anthropic-version")!
    static let apiKey = HTTPField.Name("x-api-key")!
    static let requestIDHeader = HTTPField.Name("request-id")!
    static let retryAfter = HTTPField.Name("retry-after")!
    static let shouldRetry = HTTPField.Name("x-should-retry")!

    /// A fresh `req_sim_…` id (random, unique per request).
    static func makeRequestID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return "req_sim_" + String(high, radix: 16) + String(low, radix: 16)
    }

    /// Compact JSON with sorted keys.
    static func encode<Value: Encodable>(_ value: Value) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(value))) ?? []
    }

    /// RFC 3339 time (UTC, whole seconds) for a unix time.
    static func rfc3339(_ time: Double) -> String {
        Date(timeIntervalSince1970: time.rounded(.up)).formatted(.iso8601)
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

    /// A JSON response with `request-id`, `content-type` and every rate-limit header (those of
    /// `model`'s limits, as the API reports the limits of the model class that answered).
    func response(status: Int, body: [UInt8], requestID: String, model: String? = nil, now: Double) async -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[Self.requestIDHeader] = requestID
        let snapshots = await self.state.rateLimitSnapshots(model: model, now: now)
        for (name, snapshot) in [
            ("requests", snapshots.requests), ("input-tokens", snapshots.inputTokens),
            ("output-tokens", snapshots.outputTokens), ("tokens", snapshots.tokens),
        ] {
            headers[HTTPField.Name("anthropic-ratelimit-\(name)-limit")!] = String(snapshot.limit)
            headers[HTTPField.Name("anthropic-ratelimit-\(name)-remaining")!] = String(snapshot.remaining)
            headers[HTTPField.Name("anthropic-ratelimit-\(name)-reset")!] = Self.rfc3339(snapshot.reset)
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
