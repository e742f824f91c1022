import Logging
import Synchronization
import Testing

@testable import Promptline

@Suite struct ModelHealthTests {
    private func health(time: TestTime, enabled: Bool = true, draw: Double = 0.5) -> ModelHealth {
        var configuration = CircuitBreaker.Configuration()
        configuration.consecutiveFailures = 2
        configuration.jitter = 0
        return ModelHealth(
            configuration: configuration, breakersEnabled: enabled,
            budget: RetryBudget(capacity: 10, retryCost: 5, refillPerSecond: 0),
            logger: Logger(label: "test"), clock: time.clock, random: { draw })
    }

    private let overloaded = RequestFailure(kind: .http(status: 529), errorType: "overloaded_error", message: "")
    private let rateLimited = RequestFailure(kind: .http(status: 429), errorType: "rate_limit_error", message: "")

    @Test func serverFailuresOpenAModelsBreakerAndOnlyThatModels() {
        let time = TestTime()
        let health = health(time: time)
        for _ in 0..<100 { health.record("a", failure: nil) }
        // After a hundred healthy answers, a run of five failures is no chance: the model is down.
        for _ in 0..<4 { health.record("a", failure: overloaded) }
        #expect(health.breakerStates["a"] == .closed)
        health.record("a", failure: overloaded)
        #expect(health.admit("a") == .open)
        #expect(health.admit("b") == .send(probe: false))
        #expect(health.breakerStates["a"] == .open)
        #expect(health.trips == 1)
    }

    /// With no history yet (the start of a job), a few failures in a row are not an outage.
    @Test func aModelWithNoHistoryNeedsALongerRunToOpen() {
        let health = health(time: TestTime())
        for _ in 0..<19 { health.record("a", failure: overloaded) }
        #expect(health.breakerStates["a"] == .closed)
        health.record("a", failure: overloaded)
        #expect(health.breakerStates["a"] == .open)
    }

    /// Progress lines name a breaker whose break has ended `half-open`: its next ask is a probe.
    @Test func aBreakerWhoseBreakEndedReadsHalfOpen() {
        let time = TestTime()
        let health = health(time: time)
        for _ in 0..<20 { health.record("a", failure: overloaded) }
        #expect(health.breakerStates["a"] == .open)
        time.advance(60)
        #expect(health.breakerStates["a"]?.description == "half-open")
    }

    @Test func rateLimitsDoNotCountAgainstTheBreakerOrTheThrottle() {
        let health = health(time: TestTime())
        for _ in 0..<10 {
            #expect(health.admit("a") == .send(probe: false))
            health.record("a", failure: rateLimited)
        }
        #expect(health.admit("a") == .send(probe: false))
    }

    @Test func withBreakersOffEverythingIsAllowedByTheBreaker() {
        let health = health(time: TestTime(), enabled: false, draw: 0.999)
        for _ in 0..<10 { health.record("a", failure: overloaded) }
        #expect(health.admit("a") == .send(probe: false))
    }

    /// A model failing most requests is throttled (attempts wait and ask again), not opened.
    @Test func aModelFailingMostRequestsIsThrottledInProportion() {
        var configuration = CircuitBreaker.Configuration()
        configuration.consecutiveFailures = 1000
        configuration.minimumCalls = 1000
        let draw = Mutex(0.999)
        let health = ModelHealth(
            configuration: configuration, breakersEnabled: true, budget: RetryBudget(),
            logger: Logger(label: "test"), clock: TestTime().clock, random: { draw.withLock { $0 } })
        for sent in 0..<100 {
            #expect(health.admit("a") == .send(probe: false))
            health.record("a", failure: sent % 5 == 0 ? nil : overloaded)  // 80 % failures
        }
        // (100 − 2·20) / 101 ≈ 0.59 > a draw of 0.5
        draw.withLock { $0 = 0.5 }
        let before = health.throttledSends
        #expect(health.admit("a") == .throttled)
        #expect(health.throttledSends == before + 1)
        #expect(health.admit("b") == .send(probe: false))
        #expect(health.successShares["a"] == 0.2)
    }

    @Test func aRecordFailingFarMoreOftenInARowThanItsModelsShareExplainsIsPoison() {
        let health = health(time: TestTime())
        for index in 0..<100 {
            _ = health.admit("a")
            health.record("a", failure: index % 3 == 0 ? overloaded : nil)  // a third of requests fail
        }
        #expect(!health.isPoison(model: "a", consecutiveFailures: 9))  // under the minimum of 10
        #expect(!health.isPoison(model: "a", consecutiveFailures: 12))  // (1/3)^12 ≈ 1.9e-6
        #expect(health.isPoison(model: "a", consecutiveFailures: 13))
        // A model that serves no one is in an outage: its records wait, none is poison.
        for _ in 0..<100 { health.record("b", failure: overloaded) }
        #expect(!health.isPoison(model: "b", consecutiveFailures: 1000))
    }

    @Test func anOutageLastsUntilASuccess() {
        let time = TestTime()
        let health = health(time: time)
        #expect(health.noteOutage() == .zero)
        time.advance(5)
        #expect(health.noteOutage() == .seconds(5))
        health.record("b", failure: nil)
        #expect(health.noteOutage() == .zero)
    }

    @Test func theRetryBudgetIsSharedAndRefilledBySuccesses() {
        let health = health(time: TestTime())
        let draws = [health.withdrawRetry(for: overloaded), health.withdrawRetry(for: overloaded), health.withdrawRetry(for: overloaded)]
        #expect(draws == [true, true, false])
        for _ in 0..<3 { health.record("a", failure: nil) }
        #expect(health.withdrawRetry(for: overloaded))
    }

    /// A brown-out's failures are independent draws: a record waits the short requeue delay, the same
    /// after any failure, since the wait is the model's and not the record's.
    @Test func underABrownOutARecordWaitsOnlyTheShortRequeueDelay() {
        let health = health(time: TestTime())
        for index in 0..<99 {
            _ = health.admit("a")
            health.record("a", failure: index % 3 == 0 ? overloaded : nil)  // a third of requests fail
        }
        health.record("a", failure: overloaded)
        #expect(health.condition("a") == .serving)
        #expect(health.wait(before: "a") == .milliseconds(100))  // 100 ms × (0.5 + a draw of 0.5)
        #expect(health.condition("never-asked") == .serving)
    }

    /// An outage opens the breaker: its records wait to the end of the break, then poll while the probes are out.
    @Test func behindAnOpenBreakerARecordWaitsToTheEndOfTheBreak() {
        let time = TestTime()
        let health = health(time: time)
        for _ in 0..<100 { health.record("a", failure: nil) }
        for _ in 0..<5 { health.record("a", failure: overloaded) }
        #expect(health.condition("a") == .open(until: .at(2)))  // the first break, 2 s, no jitter
        #expect(health.wait(before: "a") == .milliseconds(2_050))
        time.advance(2)
        #expect(health.condition("a") == .probing)
        #expect(health.wait(before: "a") == .milliseconds(375))
    }

    /// With `--no-breaker` an outage is still told from a brown-out: a run of failures the model's share
    /// does not explain makes the wait grow with the outage's length.
    @Test func withoutABreakerAnUnexplainedRunMakesTheWaitGrowWithTheOutage() {
        let time = TestTime()
        let health = health(time: time, enabled: false)
        for _ in 0..<100 { health.record("a", failure: nil) }
        time.set(10)
        for _ in 0..<4 { health.record("a", failure: overloaded) }
        #expect(health.condition("a") == .serving)  // four in a row: still a chance
        health.record("a", failure: overloaded)
        #expect(health.condition("a") == .failing(since: .at(10)))
        time.set(14)
        #expect(health.wait(before: "a") == .milliseconds(3_500))  // 4 s minus an eighth (a draw of 0.5)
        health.record("a", failure: nil)
        #expect(health.condition("a") == .serving)
    }
}
