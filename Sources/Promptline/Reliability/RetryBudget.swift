/// The job-wide retry quota, in the manner of the AWS SDKs' retry quota: each retry withdraws
/// tokens, each success deposits one back. When an outage empties it, records stop retrying and
/// move down the degradation chain (or wait on the breakers) instead of storming the API.
public struct RetryBudget: Sendable, Equatable {
    public let capacity: Int
    public let retryCost: Int
    public let timeoutCost: Int
    public private(set) var tokens: Int

    public init(capacity: Int = 500, retryCost: Int = 5, timeoutCost: Int = 10) {
        self.capacity = capacity
        self.retryCost = retryCost
        self.timeoutCost = timeoutCost
        self.tokens = capacity
    }

    /// Takes the cost of one retry; false (and nothing taken) when the budget cannot pay it.
    public mutating func withdraw(for failure: RequestFailure) -> Bool {
        let cost = failure.kind == .timeout ? timeoutCost : retryCost
        guard tokens >= cost else { return false }
        tokens -= cost
        return true
    }

    /// A success refills one token.
    public mutating func deposit() {
        tokens = min(capacity, tokens + 1)
    }
}
