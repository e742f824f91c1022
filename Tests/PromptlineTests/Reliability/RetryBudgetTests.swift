import Testing

@testable import Promptline

@Suite struct RetryBudgetTests {
    private let overloaded = RequestFailure(kind: .http(status: 529), errorType: "overloaded_error", message: "")
    private let timeout = RequestFailure(kind: .timeout, errorType: "timeout_error", message: "")

    @Test func retriesDrainTheBudgetUntilItRefuses() {
        var budget = RetryBudget(capacity: 20, retryCost: 5, timeoutCost: 10, refillPerSecond: 0)
        #expect((0..<5).map { _ in budget.withdraw(for: overloaded, now: .at(0)) } == [true, true, true, true, false])
        #expect(budget.tokens == 0)
    }

    @Test func timeoutsCostMore() {
        var budget = RetryBudget(capacity: 15, retryCost: 5, timeoutCost: 10, refillPerSecond: 0)
        let outcomes = [
            budget.withdraw(for: timeout, now: .at(0)), budget.withdraw(for: timeout, now: .at(0)),
            budget.withdraw(for: overloaded, now: .at(0)),
        ]
        #expect(outcomes == [true, false, true])
    }

    @Test func successesRefillUpToTheCapacity() {
        var budget = RetryBudget(capacity: 10, retryCost: 5, refillPerSecond: 0)
        _ = budget.withdraw(for: overloaded, now: .at(0))
        for _ in 0..<20 { budget.deposit(now: .at(0)) }
        #expect(budget.tokens == 10)
    }

    @Test func anEmptyBudgetRefillsWithTimeSoWaitingRecordsGetAnotherTry() {
        var budget = RetryBudget(capacity: 2, retryCost: 1, refillPerSecond: 1)
        let draws = [
            budget.withdraw(for: overloaded, now: .at(0)), budget.withdraw(for: overloaded, now: .at(0)),
            budget.withdraw(for: overloaded, now: .at(0.5)), budget.withdraw(for: overloaded, now: .at(1.6)),
        ]
        #expect(draws == [true, true, false, true])
    }

    /// Simulated minutes of a brown-out: with a retry per failure, a 60 % error share never empties the
    /// budget (two tokens per success pay for 1.5 retries per success), an outage does within seconds.
    @Test(arguments: [(0.35, false), (0.6, false), (1.0, true)])
    func onlyANearTotalFailureRateEmptiesTheBudget(errorShare: Double, empties: Bool) {
        var budget = RetryBudget()
        var refusedAny = false
        var failuresOwed = 0.0
        for tick in 0..<(100 * 300) {  // 300 s at 100 attempts/s
            let now = Double(tick) / 100
            failuresOwed += errorShare
            if failuresOwed >= 1 {
                failuresOwed -= 1
                if !budget.withdraw(for: overloaded, now: .at(now)) { refusedAny = true }
            } else {
                budget.deposit(now: .at(now))
            }
        }
        #expect(refusedAny == empties)
    }
}
