/// Why one attempt at a request failed, classified in one place (``MessagesClient``).
public struct RequestFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    enum Kind: Sendable, Equatable {
        /// The API answered with an HTTP error status.
        case http(status: Int)
        /// The attempt ran past its `--timeout`.
        case timeout
        /// The connection failed or closed before a full response.
        case connection
        /// A 200 whose body is not a Messages API response.
        case malformedBody
    }

    var kind: Kind
    /// The API's error type (`overloaded_error`, …) or promptline's (`timeout_error`, `connection_error`, `malformed_response`).
    var errorType: String
    var message: String
    /// The API's error body, compact JSON, when it sent one.
    var body: [UInt8]?
    /// The wait the server asked for (`retry-after-ms` / `retry-after`), in seconds.
    var retryAfter: Double?
    /// The server's `x-should-retry` verdict, when given.
    var shouldRetry: Bool?
    /// The rate-limit headers of the response, when it had any.
    var rateLimit: RateLimitHeaders?
    /// `details.error_code` of the error body, when present (e.g. `enforced_spend_limit_reached`).
    var errorCode: String?

    init(
        kind: Kind, errorType: String, message: String, body: [UInt8]? = nil, retryAfter: Double? = nil,
        shouldRetry: Bool? = nil, errorCode: String? = nil, rateLimit: RateLimitHeaders? = nil
    ) {
        self.rateLimit = rateLimit
        self.kind = kind
        self.errorType = errorType
        self.message = message
        self.body = body
        self.retryAfter = retryAfter
        self.shouldRetry = shouldRetry
        self.errorCode = errorCode
    }

    /// The HTTP status, when the API answered with one.
    var status: Int? {
        if case .http(let status) = kind { return status }
        return nil
    }

    /// True for failures of the server (5xx, 529, timeouts, connection errors, malformed bodies):
    /// the ones a circuit breaker counts. 4xx (including 429) are not the server's failures.
    var isServerFailure: Bool {
        switch kind {
        case .http(let status): status >= 500
        case .timeout, .connection, .malformedBody: true
        }
    }

    /// True for a 404 `not_found_error` naming `model` (the API's `"model: <id>"`): the model is
    /// unknown or retired, which is the model's fault, not the record's (SPEC §6).
    func isModelNotFound(_ model: String) -> Bool {
        guard status == 404, errorType == "not_found_error" else { return false }
        return message.contains(model) || message.hasPrefix("model:")
    }

    /// The failure in one line, for warnings and logs.
    public var description: String {
        switch kind {
        case .http(let status): "HTTP \(status) \(errorType): \(message)"
        case .timeout: "timeout: \(message)"
        case .connection: "connection error: \(message)"
        case .malformedBody: "malformed response: \(message)"
        }
    }
}
