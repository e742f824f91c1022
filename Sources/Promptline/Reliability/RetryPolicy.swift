/// The retry decision for one request on one model: a pure state machine.
///
/// Feed it each failed attempt with ``event(_:)``; it answers what to do next. Delays follow the
/// official SDKs (0.5 s doubling to 8 s, minus up to 25 % jitter) unless the server asked for a
/// wait (`retry-after-ms` / `retry-after`), which is honoured however long it is. Unlike the SDKs,
/// a 429 does not use up the retries: a batch job waits for its rate limit instead of giving up.
struct RetryPolicy: Sendable {
    /// What the caller does after a failed attempt.
    enum Action: Sendable, Equatable {
        /// Try the same model again after this many seconds.
        case retry(after: Double)
        /// The request itself is at fault (400, 404, 413, …): the record ends `errored`, nothing else is tried.
        case fail
        /// Retries on this model are spent (or the server said not to retry): move down the degradation chain.
        case exhausted
        /// A condition of the whole job: stop it.
        case stopJob(JobStopReason)
    }

    private let maxRetries: Int
    /// The model the request goes to: a 404 naming it sends the record down the chain.
    private let model: String?
    private let random: @Sendable () -> Double
    private var retries = 0

    /// - Parameters:
    ///   - maxRetries: retries after the first attempt (the SDKs' default is 2).
    ///   - model: the model asked; a 404 `not_found_error` naming it is ``Action/exhausted`` (try the
    ///     next model of the chain), not ``Action/fail``.
    ///   - random: a source of numbers in `0..<1` for the jitter (injected so tests are exact).
    init(maxRetries: Int, model: String? = nil, random: @escaping @Sendable () -> Double = { FastRandom.shared.next() }) {
        self.maxRetries = maxRetries
        self.model = model
        self.random = random
    }

    /// The backoff before retry number `retry` (0-based) when the server gave no wait.
    func backoff(retry: Int) -> Double {
        let base = min(0.5 * Double(1 << min(retry, 16)), 8.0)
        return base * (1 - 0.25 * random())
    }

    /// Decides what follows a failed attempt.
    mutating func event(_ failure: RequestFailure) -> Action {
        if let stop = JobStopReason(failure) { return .stopJob(stop) }
        if let model, failure.isModelNotFound(model) { return .exhausted }
        if let status = failure.status, !Self.isRetryable(status: status), failure.shouldRetry != true {
            return .fail
        }
        if failure.shouldRetry == false { return .exhausted }
        // A 429 is the rate limiter's business: it pauses dispatch job-wide and is retried without
        // spending this model's retries (the record's deadline still bounds it).
        if failure.status == 429 { return .retry(after: failure.retryAfter ?? backoff(retry: 0)) }
        guard retries < maxRetries else { return .exhausted }
        defer { retries += 1 }
        return .retry(after: failure.retryAfter ?? backoff(retry: retries))
    }

    /// Statuses worth another attempt: 408, 409, 429 and every 5xx (529 included).
    static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 409 || status == 429 || status >= 500
    }
}
