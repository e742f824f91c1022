import Testing

@testable import Promptline

@Suite struct CircuitBreakerTests {
    private func breaker(_ tune: (inout CircuitBreaker.Configuration) -> Void = { _ in }, random: Double = 0) -> CircuitBreaker {
        var configuration = CircuitBreaker.Configuration()
        configuration.windowSize = 10
        configuration.minimumCalls = 6
        configuration.failureRateThreshold = 0.5
        configuration.consecutiveFailures = 4
        configuration.baseBreak = 2
        configuration.maxBreak = 10
        configuration.halfOpenProbes = 2
        configuration.jitter = 0.2
        tune(&configuration)
        return CircuitBreaker(configuration: configuration, random: { random })
    }

    @Test func itOpensOnTheFailureRateOnceTheMinimumCallsAreSeen() {
        var b = breaker()
        for outcome in [false, true, false, true, false] {  // 2 of 5 failed: under the minimum of 6 calls
            _ = outcome ? b.failure(now: .at(0)) : b.success(now: .at(0))
        }
        #expect(b.state == .closed)
        let transition = b.failure(now: .at(1))  // 3 of 6 = 50 %
        #expect(b.state == .open(until: .at(3)))
        #expect(transition?.reason.contains("failure rate") == true)
    }

    @Test func itOpensOnConsecutiveFailuresBeforeTheMinimumCalls() {
        var b = breaker()
        for _ in 0..<3 { #expect(b.failure(now: .at(0)) == nil) }
        #expect(b.failure(now: .at(0))?.reason == "4 consecutive failures")
        #expect(b.trips == 1)
    }

    @Test func whileOpenNothingIsAdmittedUntilTheBreakEnds() {
        var b = breaker()
        for _ in 0..<4 { _ = b.failure(now: .at(10)) }
        #expect(b.acquire(now: .at(11)).0 == .rejected(retryAt: .at(12)))
        let (permission, transition) = b.acquire(now: .at(12))
        #expect(permission == .probe)
        #expect(transition?.to == .halfOpen)
    }

    @Test func halfOpenAdmitsExactlyTheConfiguredProbes() {
        var b = breaker { $0.halfOpenProbes = 3 }
        for _ in 0..<4 { _ = b.failure(now: .at(0)) }
        let permissions = (0..<5).map { _ in b.acquire(now: .at(100)).0 }
        #expect(permissions == [.probe, .probe, .probe, .rejected(retryAt: nil), .rejected(retryAt: nil)])
        b.release()
        #expect(b.acquire(now: .at(100)).0 == .probe)
    }

    @Test func aProbesSuccessClosesIt() {
        var b = breaker()
        for _ in 0..<4 { _ = b.failure(now: .at(0)) }
        _ = b.acquire(now: .at(5))
        #expect(b.success(now: .at(5))?.to == .closed)
        #expect(b.acquire(now: .at(5)).0 == .allowed)
    }

    @Test func aProbesFailureReopensWithADoubledBreakUpToTheCap() {
        var b = breaker()
        for _ in 0..<4 { _ = b.failure(now: .at(0)) }  // break 2
        var now = JobClock.Instant.at(2)
        var breaks: [Duration] = []
        for _ in 0..<5 {
            _ = b.acquire(now: now)
            _ = b.failure(now: now)
            guard case .open(let until) = b.state else { Issue.record("not open"); return }
            breaks.append(until - now)
            now = until
        }
        #expect(breaks == [4, 8, 10, 10, 10].map { .seconds($0) })
    }

    @Test func jitterLengthensABreakByUpToItsFraction() {
        var b = breaker(random: 0.5)
        for _ in 0..<4 { _ = b.failure(now: .at(0)) }
        #expect(b.state == .open(until: .at(2 * 1.1)))
    }

    @Test func successesInTheWindowKeepItClosed() {
        var b = breaker()
        for index in 0..<100 {
            _ = index % 3 == 0 ? b.failure(now: .at(Double(index))) : b.success(now: .at(Double(index)))
        }
        #expect(b.state == .closed)
    }

    @Test(arguments: [(0.0, 5), (0.1, 6), (0.35, 14), (0.6, 28), (0.95, 30), (1.0, 30)])
    func theRunThatOpensItGrowsWithTheModelsRecentErrorShare(share: Double, run: Int) {
        let b = CircuitBreaker()
        #expect(b.consecutiveRunNeeded(baselineFailureShare: share) == run)
    }

    /// Simulated minutes of a brown-out (a steady share of 529s, 100 calls a second): the breaker, for
    /// outages only, never opens at 10, 35 or 60 %, and opens within seconds of a total outage.
    @Test(arguments: [(0.1, false), (0.35, false), (0.6, false), (1.0, true)])
    func aBrownOutNeverOpensTheBreakerAnOutageDoes(errorShare: Double, opens: Bool) {
        var b = CircuitBreaker(random: { 0 })
        var draws = Draws(seed: 11)
        var now = 0.0
        while now < 600, b.trips == 0 {
            now += 0.01
            if draws.next() < errorShare {
                _ = b.failure(now: .at(now), baselineFailureShare: errorShare)
            } else {
                _ = b.success(now: .at(now))
            }
        }
        #expect((b.trips > 0) == opens)
        if opens { #expect(now < 1) }
    }

    @Test func byDefaultItOpensOnANearTotalFailureRateNotOnHalf() {
        var b = CircuitBreaker(random: { 0 })
        for index in 0..<200 {  // alternate: 50 % failures, never 5 in a row
            _ = index % 2 == 0 ? b.failure(now: .at(0), baselineFailureShare: 0.5) : b.success(now: .at(0))
        }
        #expect(b.state == .closed)
        var c = CircuitBreaker(random: { 0 })
        for index in 0..<50 {  // 96 % failures in runs of 24 that a 96 % share explains: the rate opens it
            _ = index % 25 == 24 ? c.success(now: .at(0)) : c.failure(now: .at(0), baselineFailureShare: 0.96)
        }
        #expect(c.trips == 1)
    }
}
