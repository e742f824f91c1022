/// What a model is doing, as far as a record waiting to try it again is concerned: read from the
/// model's circuit breaker and its recent answers, the same for every record.
enum ModelCondition: Sendable, Equatable {
    /// The model serves: its breaker is closed and its current run of server failures, if any, is
    /// one its recent failure share explains (a brown-out's failures are independent draws).
    case serving
    /// The breaker's break is over and its probes are out: their answers decide, soon.
    case probing
    /// The breaker is open until `until` (on the job's clock): nothing goes to the model before.
    case open(until: JobClock.Instant)
    /// The model has failed since `since` (job clock) in a run its recent failure share does not
    /// explain, and no breaker stands in the way (`--no-breaker`): a correlated failure, an outage.
    case failing(since: JobClock.Instant)
}

/// How long a record waits before it tries a model again, when the server named no wait: a pure
/// function of the model's ``ModelCondition``, never of how many times this record failed.
///
/// Under a brown-out a failure is bad luck: with 35 % of requests failing at random, one record in
/// twenty-three fails three times in a row while the model serves two requests in three. A
/// schedule that grows with the record's own failures (the SDKs' 0.5 s doubling to 8 s) makes
/// those records the job's tail, and the job cannot end before its slowest record. So a record
/// whose model is serving goes back in line after a short jittered delay; the adaptive throttle,
/// not the record's wait, is what sends less to a model that accepts less. Growing waits are for
/// correlated failure: an open breaker is waited out to the end of its break (its probes decide
/// what follows), and a model failing with no breaker to open is waited on as long again as it
/// has been failing (between `minimumBackoff` and `maximumBackoff`): the SDKs' doubling, driven by
/// the outage's length rather than by one record's count.
struct RetryWait: Sendable, Equatable {
    /// Back in line under a serving model: this, times 0.5–1.5 at random.
    var requeue: Duration = .milliseconds(100)
    /// While a half-open breaker's probes are out: look again after this, times 1–2 at random
    /// (long enough for a probe's answer, and a look costs no request).
    var probe: Duration = .milliseconds(250)
    /// The shortest wait on a failing model (the SDKs' first backoff, 0.5 s).
    var minimumBackoff: Duration = .milliseconds(500)
    /// The longest wait on a failing model (the SDKs' cap, 8 s).
    var maximumBackoff: Duration = .seconds(8)

    /// The wait before the next try of a model in `condition` at `now` (on the job's clock);
    /// `draw` is a uniform number in `0..<1` for the jitter (injected so tests are exact).
    func delay(_ condition: ModelCondition, now: JobClock.Instant, draw: Double) -> Duration {
        switch condition {
        case .serving:
            return requeue * (0.5 + draw)
        case .probing:
            return probe * (1 + draw)
        case .open(let until):
            // To the end of the break, spread by up to one requeue so the waiting records do not all
            // ask the half-open breaker in the same instant (only its probes would be let through).
            return max(.zero, until - now) + requeue * draw
        case .failing(let since):
            let failingFor = max(.zero, now - since)
            // Minus up to a quarter, as the SDKs jitter their backoff.
            return min(max(failingFor, minimumBackoff), maximumBackoff) * (1 - 0.25 * draw)
        }
    }
}
