import Testing

@testable import Promptline

/// A seeded source of uniform draws, so simulated minutes are exact.
struct Draws {
    private var seed: UInt64
    init(seed: UInt64) { self.seed = seed }
    mutating func next() -> Double {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return Double(seed >> 11) / Double(1 << 53)
    }
}

@Suite struct AdaptiveThrottleTests {
    /// Simulated minutes of a model failing `errorShare` of the requests sent (100 attempts a second):
    /// the share of attempts refused locally over the last minute.
    private func refusedShare(errorShare: Double, minutes: Double = 5) -> Double {
        var throttle = AdaptiveThrottle()
        var draws = Draws(seed: 7)
        var refused = 0
        var attempts = 0
        var now = 0.0
        while now < minutes * 60 {
            now += 0.01
            let action = throttle.event(.attempt(draw: draws.next()), now: .at(now))
            let counted = now > (minutes - 1) * 60
            if counted { attempts += 1 }
            guard action == .send else {
                if counted { refused += 1 }
                continue
            }
            _ = throttle.event(draws.next() < errorShare ? .failed : .accepted, now: .at(now))
        }
        return Double(refused) / Double(attempts)
    }

    @Test(arguments: [0.0, 0.1, 0.35])
    func aModelAcceptingMoreThanHalfIsNotThrottledAtAll(errorShare: Double) {
        #expect(refusedShare(errorShare: errorShare) == 0)
    }

    @Test func atSixtyPercentFailuresAFifthOfTheAttemptsWait() {
        let share = refusedShare(errorShare: 0.6)
        #expect(share > 0.15 && share < 0.25, "refused \(share)")
    }

    @Test func nearATotalFailureRateAlmostOnlyProbesGoOut() {
        #expect(refusedShare(errorShare: 1.0) > 0.95)
    }

    @Test func theRefusalProbabilityFollowsTheSREFormula() {
        var throttle = AdaptiveThrottle()
        for _ in 0..<70 { _ = throttle.event(.failed, now: .at(1)) }
        for _ in 0..<30 { _ = throttle.event(.accepted, now: .at(1)) }
        // (100 − 2·30) / (100 + 1)
        #expect(abs(throttle.refusalProbability(now: .at(1)) - 40.0 / 101.0) < 1e-12)
        #expect(throttle.acceptShare(now: .at(1)) == 0.3)
    }

    @Test func nothingIsRefusedBeforeTheWindowHoldsEnoughAnswers() {
        var throttle = AdaptiveThrottle()
        for _ in 0..<19 { _ = throttle.event(.failed, now: .at(1)) }
        #expect(throttle.refusalProbability(now: .at(1)) == 0)
        _ = throttle.event(.failed, now: .at(1))
        #expect(throttle.refusalProbability(now: .at(1)) > 0.9)
    }

    /// Attempts in flight have no verdict yet: a job's first round trip is never refused.
    @Test func attemptsWithoutAnAnswerDoNotCount() {
        var throttle = AdaptiveThrottle()
        let actions = (0..<64).map { _ in throttle.event(.attempt(draw: 0), now: .at(0)) }
        #expect(actions.allSatisfy { $0 == .send })
    }

    @Test func theWindowForgetsWhatIsOlderThanItsLength() {
        var throttle = AdaptiveThrottle()
        for _ in 0..<100 {
            _ = throttle.event(.attempt(draw: 0.99), now: .at(0))
            _ = throttle.event(.failed, now: .at(0))
        }
        #expect(throttle.refusalProbability(now: .at(0)) > 0.9)
        #expect(throttle.refusalProbability(now: .at(59.5)) > 0.9)
        #expect(throttle.refusalProbability(now: .at(60.5)) == 0)
        #expect(throttle.acceptShare(now: .at(60.5)) == nil)
    }

    /// After an outage the throttle lets traffic back in proportion to what succeeds: within
    /// seconds of the model recovering, nothing is refused any more.
    @Test func itRecoversWithinSecondsOnceTheModelAnswersAgain() {
        var throttle = AdaptiveThrottle()
        var draws = Draws(seed: 3)
        var now = 0.0
        while now < 30 {  // 30 s outage
            now += 0.01
            if throttle.event(.attempt(draw: draws.next()), now: .at(now)) == .send { _ = throttle.event(.failed, now: .at(now)) }
        }
        #expect(throttle.refusalProbability(now: .at(now)) > 0.9)
        var recoveredAt: Double?
        while now < 120, recoveredAt == nil {
            now += 0.01
            if throttle.event(.attempt(draw: draws.next()), now: .at(now)) == .send { _ = throttle.event(.accepted, now: .at(now)) }
            if throttle.refusalProbability(now: .at(now)) == 0 { recoveredAt = now }
        }
        let recovered = try! #require(recoveredAt)
        #expect(recovered - 30 < 10, "recovered after \(recovered - 30) s")
    }
}
