/// A fault the simulator can inject into a message request.
public enum SimFault: String, Sendable, CaseIterable, Codable {
    case badRequest = "400"
    case requestTimeout = "408"
    case conflict = "409"
    case requestTooLarge = "413"
    case internalError = "500"
    case serviceUnavailable = "503"
    case gatewayTimeout = "504"
    case overloaded = "529"
    /// 429 `rate_limit_error` with `details.error_code = enforced_spend_limit_reached`, no `retry-after`.
    case spendCap = "spend_cap"
    /// 400 `invalid_request_error` saying the credit balance is too low.
    case credit
    /// 402 `billing_error`: a billing or payment problem.
    case billing
    /// 400 `invalid_request_error` saying the specified (workspace or user-set) API usage limits are reached.
    case usageLimit = "usage_limit"
    /// Never answer until the client gives up (or the server stops).
    case hang
    /// Close the TCP connection (RST) without a response.
    case reset
    /// 200 with a truncated, invalid JSON body.
    case malformed
    /// 429 `rate_limit_error` with `retry-after: 3600`.
    case longRetryAfter = "429_long"
    /// 401 `authentication_error`.
    case unauthorized = "401"
    /// 403 `permission_error`.
    case forbidden = "403"
    /// 200 whose body never ends: JSON bytes trickle out until the client gives up (or the hang limit).
    case endless
    /// 200 with `content-type: text/html` and an HTML page (a proxy's error page).
    case notJSON = "not_json"
    /// 200 with valid JSON that is not a Messages response (a legacy completion).
    case wrongShape = "wrong_shape"
    /// 200 with a well-formed Messages response of about 40 MiB (over promptline's 32 MiB cap).
    case huge
    /// A normal answer served with `content-type: text/plain`.
    case textPlain = "text_plain"
    /// The status line and headers (content-length 4096), a few body bytes, then the connection closes.
    case closeAfterHeaders = "close_after_headers"
    /// A normal answer sent 4 bytes every 100 ms (about 10 s for a short answer).
    case trickle
}
