/// The job-wide retry quota: each retry withdraws tokens, each success deposits some back, and a
/// slow trickle refills it with time.
///
/// Sized so partial failure is ridden out and only an outage drains it: a success deposits
/// `depositPerSuccess` tokens (2: a model may fail up to two retries per success, a 66 % error
/// share, before retries outrun the deposits) and a retry costs `retryCost` (a timeout
/// `timeoutCost`). When an outage empties it, records do not retry: they move down the degradation
/// chain or wait (they are never burnt for it) until successes or the `refillPerSecond` trickle
/// pay for another try, so an outage drains into the breakers instead of a retry storm.
struct RetryBudget: Sendable, Equatable {
    let capacity: Double
    let retryCost: Double
    let timeoutCost: Double
    let depositPerSuccess: Double
    let refillPerSecond: Double
    private(set) var tokens: Double
    private var refilledAt: JobClock.Instant?

    init(
        capacity: Double = 200, retryCost: Double = 1, timeoutCost: Double = 2, depositPerSuccess: Double = 2,
        refillPerSecond: Double = 1
    ) {
        self.capacity = capacity
        self.retryCost = retryCost
        self.timeoutCost = timeoutCost
        self.depositPerSuccess = depositPerSuccess
        self.refillPerSecond = refillPerSecond
        self.tokens = capacity
    }

    /// Takes the cost of one retry at `now`; false (and nothing taken) when the budget cannot pay it.
    mutating func withdraw(for failure: RequestFailure, now: JobClock.Instant) -> Bool {
        refill(now: now)
        let cost = failure.kind == .timeout ? timeoutCost : retryCost
        guard tokens >= cost else { return false }
        tokens -= cost
        return true
    }

    /// A success refills `depositPerSuccess` tokens.
    mutating func deposit(now: JobClock.Instant) {
        refill(now: now)
        tokens = min(capacity, tokens + depositPerSuccess)
    }

    private mutating func refill(now: JobClock.Instant) {
        if let refilledAt, now > refilledAt {
            tokens = min(capacity, tokens + (now - refilledAt).seconds * refillPerSecond)
        }
        refilledAt = max(now, refilledAt ?? now)
    }
}
