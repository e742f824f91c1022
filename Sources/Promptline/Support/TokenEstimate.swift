/// The input tokens of a request before the API has counted them: one token per four bytes of
/// request body, rounded up, at least 1. The one estimate behind the rate limiter's charge, the
/// budget's worst case and the dry run's figures.
enum TokenEstimate {
    /// Request body bytes per input token.
    static let bytesPerToken = 4.0

    /// The estimated input tokens of a request body of `bodyBytes` bytes, scaled by `ratio` (the
    /// rate limiter's learned ratio of reported to estimated tokens; 1 elsewhere).
    static func inputTokens(bodyBytes: Int, ratio: Double = 1) -> Int {
        max(1, Int((Double(max(0, bodyBytes)) / bytesPerToken * ratio).rounded(.up)))
    }
}
