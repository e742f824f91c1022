import Testing

@testable import Promptline

@Suite struct RetryBudgetTests {
    private let overloaded = RequestFailure(kind: .http(status: 529), errorType: "overloaded_error", message: "")
    private let timeout = RequestFailure(kind: .timeout, errorType: "timeout_error", message: "")

    @Test func retriesDrainTheBudgetUntilItRefuses() {
        var budget = RetryBudget(capacity: 20, retryCost: 5, timeoutCost: 10)
        #expect((0..<5).map { _ in budget.withdraw(for: overloaded) } == [true, true, true, true, false])
        #expect(budget.tokens == 0)
    }

    @Test func timeoutsCostMore() {
        var budget = RetryBudget(capacity: 15, retryCost: 5, timeoutCost: 10)
        let outcomes = [budget.withdraw(for: timeout), budget.withdraw(for: timeout), budget.withdraw(for: overloaded)]
        #expect(outcomes == [true, false, true])
    }

    @Test func successesRefillUpToTheCapacity() {
        var budget = RetryBudget(capacity: 10, retryCost: 5)
        _ = budget.withdraw(for: overloaded)
        for _ in 0..<20 { budget.deposit() }
        #expect(budget.tokens == 10)
    }
}
