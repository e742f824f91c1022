/// Client-side adaptive throttling for one model, as the Google SRE book describes it
/// ("Handling Overload"): a pure state machine driven by the caller's clock.
///
/// Over a sliding window of the last `windowSeconds`, it counts the attempts the server answered
/// (`requests`) and those it accepted (`accepts`). Each new attempt is refused locally with
/// probability `max(0, (requests − K·accepts) / (requests + 1))`. With `K = 2` a model answering
/// 35 % of requests with 529 is not throttled at all (`2 · 0.65 > 1`), at 60 % a fifth of the
/// attempts wait, and near 100 % almost only probes go out — the job slows down in proportion to
/// what the server accepts instead of stopping. Only server failures (5xx, 529, timeouts,
/// connection errors) are not accepts; a 4xx is the server doing its job, and a 429 belongs to the
/// rate limiter and counts neither way.
///
/// Nothing is refused before the window holds `minimumAnswers` answers.
///
/// Unlike the book, `requests` counts answered attempts only. Attempts in flight have no verdict
/// yet (counting them would refuse most of a job's first round trip), and a refused record is not
/// dropped but tries again later, so counting refusals too would feed back on itself and converge
/// to refusing everything whenever `K` times the accept share is under 1 (a 60 % brown-out).
struct AdaptiveThrottle: Sendable {
    /// Tuning.
    struct Configuration: Sendable, Equatable {
        /// The SRE book's K: how many attempts per accepted request are tolerated.
        var multiplier = 2.0
        /// The length of the sliding window, seconds.
        var windowSeconds = 60
        /// Answers the window needs before it refuses anything: a few failures at the start of a job
        /// (or from a handful of bad records) are not a verdict on the model.
        var minimumAnswers = 20
        init() {}
    }

    /// What the caller reports.
    enum Event: Sendable, Equatable {
        /// The job wants to send an attempt; `draw` is a uniform number in `0..<1` (1 always sends:
        /// a breaker's probe is not held back).
        case attempt(draw: Double)
        /// The server accepted an attempt (a success, or an answer that is not a server failure).
        case accepted
        /// The server failed an attempt (5xx, 529, timeout, connection error).
        case failed
    }

    /// What the caller does.
    enum Action: Sendable, Equatable {
        /// Send the attempt.
        case send
        /// Do not send it now: wait and ask again.
        case refuse
        /// Nothing to do (an outcome was recorded).
        case none
    }

    private struct Bucket: Sendable {
        var second = Int.min
        var accepts = 0
        var failures = 0
    }

    let configuration: Configuration
    private var buckets: [Bucket]
    /// Attempts refused locally since the start.
    private(set) var refused = 0

    init(configuration: Configuration = .init()) {
        self.configuration = configuration
        self.buckets = Array(repeating: Bucket(), count: max(1, configuration.windowSeconds))
    }

    /// Applies an event at `now` and says what to do.
    mutating func event(_ event: Event, now: JobClock.Instant) -> Action {
        let second = Int(now.sinceStart.components.seconds)
        let index = ((second % buckets.count) + buckets.count) % buckets.count
        if buckets[index].second != second { buckets[index] = Bucket(second: second) }
        switch event {
        case .attempt(let draw):
            if draw < refusalProbability(now: now) {
                refused += 1
                return .refuse
            }
            return .send
        case .accepted:
            buckets[index].accepts += 1
            return .none
        case .failed:
            buckets[index].failures += 1
            return .none
        }
    }

    /// The probability that an attempt is refused now.
    func refusalProbability(now: JobClock.Instant) -> Double {
        let totals = window(now: now)
        guard totals.accepts + totals.failures >= configuration.minimumAnswers else { return 0 }
        let requests = Double(totals.accepts + totals.failures)
        return max(0, (requests - configuration.multiplier * Double(totals.accepts)) / (requests + 1))
    }

    /// The share of answered attempts the server accepted over the window (nil before any answer).
    func acceptShare(now: JobClock.Instant) -> Double? {
        let totals = window(now: now)
        let answered = totals.accepts + totals.failures
        return answered == 0 ? nil : Double(totals.accepts) / Double(answered)
    }

    /// Answers over the window: accepted and failed attempts.
    func answers(now: JobClock.Instant) -> (accepted: Int, failed: Int) {
        let totals = window(now: now)
        return (totals.accepts, totals.failures)
    }

    private func window(now: JobClock.Instant) -> (accepts: Int, failures: Int) {
        let second = Int(now.sinceStart.components.seconds)
        var totals = (accepts: 0, failures: 0)
        for bucket in buckets where bucket.second > second - buckets.count && bucket.second <= second {
            totals.accepts += bucket.accepts
            totals.failures += bucket.failures
        }
        return totals
    }
}
