import Logging
import Testing

@testable import Promptline

@Suite struct ModelHealthTests {
    private func health(time: TestTime, enabled: Bool = true) -> ModelHealth {
        var configuration = CircuitBreaker.Configuration()
        configuration.consecutiveFailures = 2
        configuration.jitter = 0
        return ModelHealth(
            configuration: configuration, breakersEnabled: enabled, budget: RetryBudget(capacity: 10, retryCost: 5),
            logger: Logger(label: "test"), now: time.now)
    }

    private let overloaded = RequestFailure(kind: .http(status: 529), errorType: "overloaded_error", message: "")
    private let rateLimited = RequestFailure(kind: .http(status: 429), errorType: "rate_limit_error", message: "")

    @Test func serverFailuresOpenAModelsBreakerAndOnlyThatModels() {
        let time = TestTime()
        let health = health(time: time)
        health.record("a", failure: overloaded)
        health.record("a", failure: overloaded)
        #expect(health.acquire("a") == .rejected(retryAt: 2))
        #expect(health.acquire("b") == .allowed)
        #expect(health.breakerStates["a"] == "open")
        #expect(health.trips == 1)
    }

    @Test func rateLimitsDoNotCountAgainstTheBreaker() {
        let health = health(time: TestTime())
        for _ in 0..<10 { health.record("a", failure: rateLimited) }
        #expect(health.acquire("a") == .allowed)
    }

    @Test func withBreakersOffEverythingIsAllowed() {
        let health = health(time: TestTime(), enabled: false)
        for _ in 0..<10 { health.record("a", failure: overloaded) }
        #expect(health.acquire("a") == .allowed)
    }

    @Test func anOutageLastsUntilASuccess() {
        let time = TestTime()
        let health = health(time: time)
        #expect(health.noteOutage() == 0)
        time.advance(5)
        #expect(health.noteOutage() == 5)
        health.record("b", failure: nil)
        #expect(health.noteOutage() == 0)
    }

    @Test func theRetryBudgetIsSharedAndRefilledBySuccesses() {
        let health = health(time: TestTime())
        let draws = [health.withdrawRetry(for: overloaded), health.withdrawRetry(for: overloaded), health.withdrawRetry(for: overloaded)]
        #expect(draws == [true, true, false])
        for _ in 0..<5 { health.record("a", failure: nil) }
        #expect(health.withdrawRetry(for: overloaded))
    }
}
