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
}
