/// The retry decision for one request on one model: a pure state machine.
///
/// Feed it each failed attempt with ``event(_:modelWait:)``; it answers what to do next. The delay
/// is the server's when it asked for one (`retry-after-ms` / `retry-after`, honoured however long
/// it is), else the model's wait (``RetryWait``: short while the model serves, growing only with a
/// correlated failure), never a schedule of this request's own failures. Unlike the SDKs, a 429
/// does not use up the retries: a batch job waits for its rate limit instead of giving up.
struct RetryPolicy: Sendable {
    /// What the caller does after a failed attempt.
    enum Action: Sendable, Equatable {
        /// Try the same model again after this wait.
        case retry(after: Duration)
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
    private var retries = 0

    /// - Parameters:
    ///   - maxRetries: retries after the first attempt (the SDKs' default is 2).
    ///   - model: the model asked; a 404 `not_found_error` naming it is ``Action/exhausted`` (try the
    ///     next model of the chain), not ``Action/fail``.
    init(maxRetries: Int, model: String? = nil) {
        self.maxRetries = maxRetries
        self.model = model
    }

    /// Decides what follows a failed attempt; `modelWait` is the model's wait now (see ``RetryWait``),
    /// used when the server named none.
    mutating func event(_ failure: RequestFailure, modelWait: Duration) -> Action {
        if let stop = JobStopReason(failure) { return .stopJob(stop) }
        if let model, failure.isModelNotFound(model) { return .exhausted }
        if let status = failure.status, !Self.isRetryable(status: status), failure.shouldRetry != true {
            return .fail
        }
        if failure.shouldRetry == false { return .exhausted }
        let wait = failure.retryAfter.map { Duration.seconds($0) } ?? modelWait
        // A 429 is the rate limiter's business: it pauses dispatch job-wide and is retried without
        // spending this model's retries (the record's deadline still bounds it).
        if failure.status == 429 { return .retry(after: wait) }
        guard retries < maxRetries else { return .exhausted }
        retries += 1
        return .retry(after: wait)
    }

    /// Statuses worth another attempt: 408, 409, 429 and every 5xx (529 included).
    static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 409 || status == 429 || status >= 500
    }
}
