import Testing

@testable import PromptlineSim

@Suite struct SimRateLimiterTests {
    @Test func admitsExactlyTheRequestsPerMinuteOverASimulatedMinute() {
        var limiter = SimRateLimiter(limits: RateLimits(requestsPerMinute: 60), now: 0)
        // A full bucket admits its capacity at once...
        var admitted = 0
        for _ in 0..<100 where limiter.admit(inputTokens: 1, now: 0) == .admitted {
            admitted += 1
        }
        #expect(admitted == 60)
        // ...then exactly one per second (60/min) as it refills.
        var later = 0
        for tick in 1...60 {
            for _ in 0..<5 where limiter.admit(inputTokens: 1, now: Double(tick)) == .admitted {
                later += 1
            }
        }
        #expect(later == 60)
    }

    @Test func limitedRequestGetsRetryAfterUntilEnoughRefills() {
        var limiter = SimRateLimiter(limits: RateLimits(requestsPerMinute: 6), now: 0)
        for _ in 0..<6 { #expect(limiter.admit(inputTokens: 1, now: 0) == .admitted) }
        // 6/min refills one request every 10 s.
        #expect(limiter.admit(inputTokens: 1, now: 0) == .limited(retryAfter: 10))
        #expect(limiter.admit(inputTokens: 1, now: 7.5) == .limited(retryAfter: 3))
        #expect(limiter.admit(inputTokens: 1, now: 10) == .admitted)
    }

    @Test func inputTokensAreChargedAtAdmission() {
        var limiter = SimRateLimiter(limits: RateLimits(inputTokensPerMinute: 600), now: 0)
        #expect(limiter.admit(inputTokens: 500, now: 0) == .admitted)
        // 100 left, 10/s refill: 200 needs 10 more s.
        #expect(limiter.admit(inputTokens: 200, now: 0) == .limited(retryAfter: 10))
        #expect(limiter.admit(inputTokens: 100, now: 0) == .admitted)
        #expect(limiter.snapshots(now: 0).inputTokens.remaining == 0)
        #expect(limiter.snapshots(now: 0).inputTokens.reset == 60)
    }

    @Test func outputDebtMakesLaterRequestsWait() {
        var limiter = SimRateLimiter(limits: RateLimits(outputTokensPerMinute: 60), now: 0)
        #expect(limiter.admit(inputTokens: 1, now: 0) == .admitted)
        limiter.charge(outputTokens: 90, now: 0)  // 30 in debt, 1/s refill
        #expect(limiter.admit(inputTokens: 1, now: 0) == .limited(retryAfter: 30))
        #expect(limiter.admit(inputTokens: 1, now: 29) == .limited(retryAfter: 1))
        #expect(limiter.admit(inputTokens: 1, now: 30) == .admitted)
    }

    @Test func bucketRefillsToCapacityAndNoFurther() {
        var bucket = TokenBucket(perMinute: 120, now: 0)
        bucket.take(120, now: 0)
        #expect(bucket.remaining(now: 30) == 60)
        #expect(bucket.remaining(now: 600) == 120)
        #expect(bucket.fullAt(now: 30) == 60)
    }

    @Test func unconfiguredLimitsReportLargeFigures() {
        let limiter = SimRateLimiter(limits: nil, now: 5)
        let snapshot = limiter.snapshots(now: 5).requests
        #expect(snapshot.limit == SimRateLimiter.unlimitedFigure)
        #expect(snapshot.remaining == SimRateLimiter.unlimitedFigure)
        #expect(snapshot.reset == 5)
    }
}
