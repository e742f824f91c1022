/// An error answer in the real API's shape:
/// `{"type":"error","error":{"type":…,"message":…},"request_id":…}`.
struct SimAPIError: Sendable, Error, Equatable {
    /// HTTP status code.
    var status: Int
    /// The `error.type` value, e.g. `overloaded_error`.
    var type: String
    /// The `error.message` value.
    var message: String
    /// `error.details.error_code`, when the API sets one (spend cap).
    var errorCode: String?
    /// `retry-after` seconds to send, if any.
    var retryAfter: Int?
    /// Whether to send `x-should-retry: true`.
    var shouldRetry: Bool

    /// Creates an error answer.
    init(
        status: Int,
        type: String,
        message: String,
        errorCode: String? = nil,
        retryAfter: Int? = nil,
        shouldRetry: Bool = false
    ) {
        self.status = status
        self.type = type
        self.message = message
        self.errorCode = errorCode
        self.retryAfter = retryAfter
        self.shouldRetry = shouldRetry
    }

    /// A 400 `invalid_request_error`.
    static func invalidRequest(_ message: String) -> SimAPIError {
        SimAPIError(status: 400, type: "invalid_request_error", message: message)
    }

    /// The error answer for an injected fault kind; `nil` for kinds that are not an error
    /// response (`hang`, `reset`, `malformed`).
    static func forFault(_ fault: SimFault) -> SimAPIError? {
        switch fault {
        case .badRequest:
            return .invalidRequest("Simulated invalid request.")
        case .requestTimeout:
            return SimAPIError(status: 408, type: "timeout_error", message: "Request timed out.")
        case .conflict:
            return SimAPIError(status: 409, type: "conflict_error", message: "Simulated conflict.")
        case .requestTooLarge:
            return SimAPIError(status: 413, type: "request_too_large", message: "Request exceeds the maximum allowed number of bytes.")
        case .internalError:
            return SimAPIError(status: 500, type: "api_error", message: "Internal server error")
        case .serviceUnavailable:
            return SimAPIError(status: 503, type: "api_error", message: "Service unavailable")
        case .gatewayTimeout:
            return SimAPIError(status: 504, type: "timeout_error", message: "The request timed out while processing.")
        case .overloaded:
            return SimAPIError(status: 529, type: "overloaded_error", message: "Overloaded", shouldRetry: true)
        case .spendCap:
            return SimAPIError(
                status: 429,
                type: "rate_limit_error",
                message: "You have reached your API usage limits. You will regain access on the first day of next month at 00:00 UTC.",
                errorCode: "enforced_spend_limit_reached"
            )
        case .billing:
            return SimAPIError(
                status: 402,
                type: "billing_error",
                message: "Your account has a billing issue. Please visit Plans & Billing to update your payment method."
            )
        case .usageLimit:
            return .invalidRequest(
                "You have reached your specified API usage limits. You will regain access on the first day of next month at 00:00 UTC."
            )
        case .credit:
            return .invalidRequest(
                "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."
            )
        case .longRetryAfter:
            return SimAPIError(
                status: 429, type: "rate_limit_error",
                message: "This request would exceed the rate limit for your organization. Please retry after 3600 seconds.",
                retryAfter: 3600)
        case .unauthorized:
            return SimAPIError(status: 401, type: "authentication_error", message: "invalid x-api-key")
        case .forbidden:
            return SimAPIError(
                status: 403, type: "permission_error", message: "Your API key does not have permission to use the specified resource.")
        case .hang, .reset, .malformed, .endless, .notJSON, .wrongShape, .huge, .textPlain, .closeAfterHeaders, .trickle:
            return nil
        }
    }
}
