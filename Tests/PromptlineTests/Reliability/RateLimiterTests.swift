import Testing

@testable import Promptline

@Suite struct RateLimiterTests {
    // MARK: - Fake-clock driver

    /// Asks for requests as fast as the limiter allows between `start` and `end` (exclusive),
    /// jumping the fake clock to every `wait(until:)`. Checks every wait lies in the future.
    /// - Returns: the reservations admitted, and the clock at the end.
    @discardableResult
    private func drive(
        _ limiter: inout RateLimiter, from start: Double, until end: Double,
        inputTokens: Int = 1, maxTokens: Int = 1,
        afterAdmit: (inout RateLimiter, RateLimiter.Reservation, Double) -> Void = { _, _, _ in }
    ) -> (admitted: [RateLimiter.Reservation], now: Double) {
        var now = start
        var admitted: [RateLimiter.Reservation] = []
        var steps = 0
        while now < end {
            steps += 1
            guard steps < 1_000_000 else {
                Issue.record("the limiter never let the clock reach \(end)")
                break
            }
            switch limiter.reserve(inputTokens: inputTokens, maxTokens: maxTokens, now: now) {
            case .admit(let reservation):
                admitted.append(reservation)
                afterAdmit(&limiter, reservation, now)
            case .wait(let until):
                #expect(until > now, "wait(until: \(until)) at now \(now)")
                now = until
            }
        }
        return (admitted, now)
    }

    private func headers(
        requests: (Int, Int)? = nil, input: (Int, Int)? = nil,
        output: (Int, Int)? = nil, tokens: (Int, Int)? = nil
    ) -> RateLimitHeaders {
        RateLimitHeaders(
            requests: requests.map { .init(limit: $0.0, remaining: $0.1) },
            tokens: tokens.map { .init(limit: $0.0, remaining: $0.1) },
            inputTokens: input.map { .init(limit: $0.0, remaining: $0.1) },
            outputTokens: output.map { .init(limit: $0.0, remaining: $0.1) })
    }

    private func reservation(_ decision: RateLimiter.Decision) -> RateLimiter.Reservation? {
        if case .admit(let reservation) = decision { return reservation }
        return nil
    }

    private func waitTime(_ decision: RateLimiter.Decision) -> Double? {
        if case .wait(let until) = decision { return until }
        return nil
    }

    // MARK: - Rate

    @Test(arguments: [60, 600, 3000])
    func admitsExactlyTheConfiguredRequestRateOverASimulatedMinute(rpm: Int) {
        var limiter = RateLimiter(requestsPerMinute: rpm, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        // First minute: the full bucket, then the refill.
        let first = drive(&limiter, from: 1000, until: 1060)
        #expect(abs(first.admitted.count - 2 * rpm) <= 1)
        // Every later minute: exactly the rate.
        for minute in 1...3 {
            let start = 1000 + 60 * Double(minute)
            let next = drive(&limiter, from: start, until: start + 60)
            #expect(abs(next.admitted.count - rpm) <= 1)
        }
        #expect(limiter.bindingDimension == .requests)
    }

    @Test func theInputTokenLimitBindsWhenItIsTheSmaller() {
        // 1000 rpm, but 10,000 itpm at 100 tokens per request allows only 100 a minute.
        var limiter = RateLimiter(requestsPerMinute: 1000, inputTokensPerMinute: 10_000, outputTokensPerMinute: nil)
        drive(&limiter, from: 0, until: 60, inputTokens: 100)
        let steady = drive(&limiter, from: 60, until: 120, inputTokens: 100)
        #expect(abs(steady.admitted.count - 100) <= 1)
        #expect(limiter.bindingDimension == .inputTokens)
    }

    @Test func theRequestLimitBindsWhenItIsTheSmaller() {
        var limiter = RateLimiter(requestsPerMinute: 50, inputTokensPerMinute: 1_000_000, outputTokensPerMinute: nil)
        drive(&limiter, from: 0, until: 60, inputTokens: 100)
        let steady = drive(&limiter, from: 60, until: 120, inputTokens: 100)
        #expect(abs(steady.admitted.count - 50) <= 1)
        #expect(limiter.bindingDimension == .requests)
    }

    @Test func theOutputTokenLimitBindsOnTheReportedOutput() {
        // 4,000 otpm; every request produces 400 output tokens: 10 a minute once the estimate has learned.
        var limiter = RateLimiter(requestsPerMinute: 1000, inputTokensPerMinute: nil, outputTokensPerMinute: 4000)
        let settleAt400: (inout RateLimiter, RateLimiter.Reservation, Double) -> Void = { limiter, reservation, now in
            limiter.settle(reservation, inputTokens: 10, outputTokens: 400, now: now)
        }
        drive(&limiter, from: 0, until: 120, inputTokens: 10, maxTokens: 1024, afterAdmit: settleAt400)
        let steady = drive(&limiter, from: 120, until: 180, inputTokens: 10, maxTokens: 1024, afterAdmit: settleAt400)
        #expect(abs(steady.admitted.count - 10) <= 1)
        #expect(limiter.bindingDimension == .outputTokens)
    }

    @Test func anUnseededLimiterAdmitsEverything() {
        var limiter = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        for _ in 0..<100_000 {
            let decision = limiter.reserve(inputTokens: 1_000_000, maxTokens: 4096, now: 5)
            #expect(reservation(decision) != nil)
        }
        #expect(limiter.limits.isEmpty)
    }

    // MARK: - Re-synchronisation from headers

    @Test func aLowerRemainingFromTheServerMakesItWait() {
        var limiter = RateLimiter(requestsPerMinute: 600, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        // Another process used the organisation's requests: only 2 remain.
        limiter.observe(headers(requests: (600, 2)), now: 10)
        let first = limiter.reserve(inputTokens: 1, maxTokens: 1, now: 10)
        let second = limiter.reserve(inputTokens: 1, maxTokens: 1, now: 10)
        let third = limiter.reserve(inputTokens: 1, maxTokens: 1, now: 10)
        #expect(reservation(first) != nil)
        #expect(reservation(second) != nil)
        let until = waitTime(third)
        #expect(until != nil)
        #expect(abs((until ?? 0) - 10.1) < 1e-9)  // 600/min refills one request per 0.1 s
        #expect(limiter.bindingDimension == .requests)
    }

    @Test func aChangedLimitIsAdopted() {
        // Each request is answered (settled) as soon as it is admitted, as a real job's are.
        let answered: (inout RateLimiter, RateLimiter.Reservation, Double) -> Void = { limiter, reservation, now in
            limiter.settle(reservation, inputTokens: 1, outputTokens: 1, now: now)
        }
        var limiter = RateLimiter(requestsPerMinute: 600, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        limiter.observe(headers(requests: (1200, 1200)), now: 0)
        #expect(limiter.limits["requests"] == 1200)
        drive(&limiter, from: 0, until: 60, afterAdmit: answered)
        let raised = drive(&limiter, from: 60, until: 120, afterAdmit: answered)
        #expect(abs(raised.admitted.count - 1200) <= 1)

        limiter.observe(headers(requests: (300, 0)), now: 120)  // the server says the bucket is drained
        #expect(limiter.limits["requests"] == 300)
        let lowered = drive(&limiter, from: 120, until: 180, afterAdmit: answered)  // the bucket was drained: the new rate
        #expect(abs(lowered.admitted.count - 300) <= 1)

        // A lower limit also caps a full bucket's level.
        limiter.observe(headers(requests: (1200, 0)), now: 180)
        let idle = 180.0 + 3600
        limiter.observe(headers(requests: (100, 100)), now: idle)
        #expect(limiter.available("requests", now: idle) == 100)
        let burst = drive(&limiter, from: idle, until: idle + 60, afterAdmit: answered)
        #expect(abs(burst.admitted.count - 200) <= 1)  // the full 100 bucket, then 100 more
    }

    @Test func learnsAnUnseededDimensionFromHeaders() {
        var limiter = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        limiter.observe(headers(requests: (50, 50), input: (6000, 150), output: (8000, 8000), tokens: (12_000, 9000)), now: 0)
        #expect(limiter.limits == ["requests": 50, "input_tokens": 6000, "output_tokens": 8000, "tokens": 12_000])
        let first = limiter.reserve(inputTokens: 100, maxTokens: 10, now: 0)
        #expect(reservation(first) != nil)
        let second = limiter.reserve(inputTokens: 100, maxTokens: 10, now: 0)
        // 50 input tokens left; 50 more at 100 per second.
        #expect(waitTime(second).map { abs($0 - 0.5) < 1e-9 } == true)
        #expect(limiter.bindingDimension == .inputTokens)
    }

    /// The room the concurrency window's slow start opens to: requests like an answered one that every
    /// known cell would admit now, the tightest cell deciding; nothing is said before any limit is known.
    @Test func roomIsTheRequestsLikeThisOneTheTightestCellWouldAdmitNow() {
        var unknown = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        let first = reservation(unknown.reserve(inputTokens: 100, maxTokens: 10, now: 0))!
        #expect(unknown.room(like: first, now: 0) == nil)
        var limiter = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        limiter.observe(headers(requests: (4000, 4000), input: (400_000, 5_000)), now: 0)
        let asked = reservation(limiter.reserve(inputTokens: 100, maxTokens: 10, now: 0))!
        #expect(limiter.room(like: asked, now: 0) == 49)  // 4,900 input tokens left, 100 a request
        limiter.pause(until: 5)
        #expect(limiter.room(like: asked, now: 1) == 0)
    }

    /// Before any answer, the room of limits known in advance (the flags, or what an earlier job
    /// remembered): the requests of this size a full bucket admits, charged as a reservation would be.
    @Test func roomBeforeAnyAnswerIsWhatTheKnownLimitsAdmitOfARequestThisSize() {
        let unknown = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        #expect(unknown.room(forBodyBytes: 400, maxTokens: 10, now: 0) == nil)
        let requests = RateLimiter(requestsPerMinute: 1200, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        #expect(requests.room(forBodyBytes: 400, maxTokens: 10, now: 0) == 1200)
        // 400 bytes are 100 input tokens: 5,000 input tokens a minute admit 50 at once.
        let input = RateLimiter(requestsPerMinute: 1200, inputTokensPerMinute: 5_000, outputTokensPerMinute: nil)
        #expect(input.room(forBodyBytes: 400, maxTokens: 10, now: 0) == 50)
        // The output estimate (256 before any usage) is capped by max_tokens: 2,560 a minute admit 10 of 256, 256 of 10.
        let output = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: nil, outputTokensPerMinute: 2_560)
        #expect(output.room(forBodyBytes: 400, maxTokens: 1_000, now: 0) == 10)
        #expect(output.room(forBodyBytes: 400, maxTokens: 10, now: 0) == 256)
    }

    @Test func theCombinedTokensDimensionBindsWhenTheHeadersGiveIt() {
        var limiter = RateLimiter(requestsPerMinute: 1000, inputTokensPerMinute: 100_000, outputTokensPerMinute: 100_000)
        limiter.observe(headers(tokens: (6000, 6000)), now: 0)
        // Each request: 50 in + 10 out (estimate capped by max_tokens) = 60 tokens → 100 a minute.
        drive(&limiter, from: 0, until: 60, inputTokens: 50, maxTokens: 10)
        let steady = drive(&limiter, from: 60, until: 120, inputTokens: 50, maxTokens: 10)
        #expect(abs(steady.admitted.count - 100) <= 1)
        #expect(limiter.bindingDimension == .tokens)
    }

    @Test func aStaleHigherRemainingCannotHandOutTokensOurInFlightRequestsUse() {
        var limiter = RateLimiter(requestsPerMinute: 10, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        var inFlight: [RateLimiter.Reservation] = []
        for _ in 0..<10 {
            if let admitted = reservation(limiter.reserve(inputTokens: 1, maxTokens: 1, now: 0)) {
                inFlight.append(admitted)
            }
        }
        #expect(inFlight.count == 10)
        // A response produced before those requests reached the server still says 10 remain.
        limiter.observe(headers(requests: (10, 10)), now: 0)
        #expect(waitTime(limiter.reserve(inputTokens: 1, maxTokens: 1, now: 0)) != nil)
        // Once they are settled, a lower figure from the server still wins.
        for admitted in inFlight { limiter.settle(admitted, inputTokens: 1, outputTokens: 1, now: 0) }
        limiter.observe(headers(requests: (10, 4)), now: 0)
        #expect(limiter.available("requests", now: 0) == 0)
    }

    /// Answers arrive out of order: an older answer's higher `remaining` is stale and never raises the
    /// level; a lower one (another shard's usage) lowers it, less what is still in flight.
    @Test func aHigherRemainingNeverRaisesTheLevelALowerOneLowersIt() {
        var limiter = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: 1000, outputTokensPerMinute: nil)
        limiter.observe(headers(input: (1000, 900)), now: 0)  // others used 100
        let first = reservation(limiter.reserve(inputTokens: 50, maxTokens: 1, now: 0))
        #expect(first != nil)
        #expect(limiter.available("input_tokens", now: 0) == 850)
        limiter.observe(headers(input: (1000, 1000)), now: 0)
        #expect(limiter.available("input_tokens", now: 0) == 850)
        limiter.observe(headers(input: (1000, 400)), now: 0)  // another shard spent 450: less the 50 in flight
        #expect(limiter.available("input_tokens", now: 0) == 350)
    }

    // MARK: - Settle and release

    @Test func settlingRefundsAnOverEstimateSoMoreIsAdmitted() {
        func admittedInAMinute(reported: Int?) -> Int {
            var limiter = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: 10_000, outputTokensPerMinute: nil)
            drive(&limiter, from: 0, until: 60, inputTokens: 1000)  // drain, no settles
            return drive(&limiter, from: 60, until: 120, inputTokens: 1000) { limiter, reservation, now in
                if let reported { limiter.settle(reservation, inputTokens: reported, outputTokens: 1, now: now) }
            }.admitted.count
        }
        let unsettled = admittedInAMinute(reported: nil)
        let refunded = admittedInAMinute(reported: 250)  // estimated 1000, used 250
        #expect(abs(unsettled - 10) <= 1)
        #expect(abs(refunded - 40) <= 1)
    }

    @Test func settlingChargesAnUnderEstimate() {
        var limiter = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: 6000, outputTokensPerMinute: nil)
        let first = reservation(limiter.reserve(inputTokens: 1000, maxTokens: 1, now: 0))!
        limiter.settle(first, inputTokens: 9000, outputTokens: 1, now: 0)  // 8000 more than estimated
        #expect(limiter.available("input_tokens", now: 0) == -3000)
        // 4000 tokens short of 1000 at 100 per second.
        let next = limiter.reserve(inputTokens: 1000, maxTokens: 1, now: 0)
        #expect(waitTime(next).map { abs($0 - 40) < 1e-9 } == true)
    }

    @Test func settlingNeverRefundsAboveTheCapacity() {
        var limiter = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: 1000, outputTokensPerMinute: nil)
        let first = reservation(limiter.reserve(inputTokens: 500, maxTokens: 1, now: 0))!
        limiter.settle(first, inputTokens: 1, outputTokens: 1, now: 3600)
        #expect(limiter.available("input_tokens", now: 3600) == 1000)
    }

    @Test func releaseGivesTheRequestAndItsTokensBack() {
        var limiter = RateLimiter(requestsPerMinute: 2, inputTokensPerMinute: 1000, outputTokensPerMinute: 1000)
        let first = reservation(limiter.reserve(inputTokens: 100, maxTokens: 100, now: 0))!
        _ = reservation(limiter.reserve(inputTokens: 100, maxTokens: 100, now: 0))!
        #expect(waitTime(limiter.reserve(inputTokens: 100, maxTokens: 100, now: 0)) != nil)
        limiter.release(first, now: 0)  // connection refused: never counted
        #expect(reservation(limiter.reserve(inputTokens: 100, maxTokens: 100, now: 0)) != nil)
        #expect(limiter.available("input_tokens", now: 0) == 800)
        #expect(limiter.available("output_tokens", now: 0) == 800)
    }

    // MARK: - Oversized requests

    @Test func anOversizedRequestIsAdmittedOnceTheBucketIsFullAndNeverStuck() {
        var limiter = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: 1000, outputTokensPerMinute: nil)
        let small = reservation(limiter.reserve(inputTokens: 400, maxTokens: 1, now: 0))
        #expect(small != nil)
        // 5000 > the 1000 capacity: waits until the bucket is full again (400 at 1000/60 per s = 24 s).
        let oversized = limiter.reserve(inputTokens: 5000, maxTokens: 1, now: 0)
        #expect(waitTime(oversized).map { abs($0 - 24) < 1e-9 } == true)
        // Driving the clock, it is admitted (alone) and the next one too, after the debt is paid.
        let run = drive(&limiter, from: 0, until: 700, inputTokens: 5000)
        #expect(run.admitted.count == 3)  // at 24 s, then every 5000 / (1000/60) = 300 s
        #expect(run.admitted.allSatisfy { $0.inputTokens == 5000 })
    }

    @Test func anOversizedOutputEstimateIsAdmittedWhenTheBucketIsFull() {
        var limiter = RateLimiter(
            requestsPerMinute: nil, inputTokensPerMinute: nil, outputTokensPerMinute: 100,
            initialOutputEstimate: 1000)
        let first = limiter.reserve(inputTokens: 1, maxTokens: 4096, now: 0)
        #expect(reservation(first)?.outputTokens == 1000)
        let second = limiter.reserve(inputTokens: 1, maxTokens: 4096, now: 0)
        // In debt by 900: full again after 1000 tokens at 100/60 per second.
        #expect(waitTime(second).map { abs($0 - 600) < 1e-9 } == true)
        #expect(reservation(limiter.reserve(inputTokens: 1, maxTokens: 4096, now: 600)) != nil)
    }

    // MARK: - Pause

    @Test func aPauseMakesEverythingWaitUntilItsEnd() {
        var limiter = RateLimiter(requestsPerMinute: 600, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        limiter.pause(until: 30)
        #expect(limiter.pausedUntil == 30)
        for step in 0..<300 {
            let now = Double(step) * 0.1
            let decision = limiter.reserve(inputTokens: 1, maxTokens: 1, now: now)
            #expect(decision == .wait(until: 30))
        }
        #expect(limiter.bindingDimension == .pause)
        #expect(reservation(limiter.reserve(inputTokens: 1, maxTokens: 1, now: 30)) != nil)
        #expect(limiter.pausedUntil == nil)
    }

    @Test func aPauseAlsoHoldsAnUnlimitedLimiter() {
        var limiter = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        limiter.pause(until: 12.5)
        #expect(limiter.reserve(inputTokens: 1, maxTokens: 1, now: 12.4) == .wait(until: 12.5))
    }

    @Test func ofTwoPausesTheLaterEndIsKept() {
        var limiter = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        limiter.pause(until: 40)
        limiter.pause(until: 35)
        #expect(limiter.pausedUntil == 40)
        limiter.pause(until: 45)
        #expect(limiter.pausedUntil == 45)
        #expect(limiter.reserve(inputTokens: 1, maxTokens: 1, now: 41) == .wait(until: 45))
    }

    // MARK: - Estimates

    @Test(arguments: [(1, 1), (100, 100), (256, 256), (4096, 256)])
    func theFirstOutputEstimateIsTheSeedCappedByMaxTokens(maxTokens: Int, expected: Int) {
        var limiter = RateLimiter(requestsPerMinute: 10, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        #expect(limiter.outputEstimate(maxTokens: maxTokens) == expected)
        let admitted = reservation(limiter.reserve(inputTokens: 1, maxTokens: maxTokens, now: 0))
        #expect(admitted?.outputTokens == expected)
    }

    @Test func theOutputEstimateFollowsReportedUsage() {
        var limiter = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        for step in 0..<50 {
            let admitted = reservation(limiter.reserve(inputTokens: 1, maxTokens: 4096, now: Double(step)))!
            limiter.settle(admitted, inputTokens: 1, outputTokens: 1000, now: Double(step))
        }
        #expect(limiter.outputEstimate(maxTokens: 4096) == 1000)
        // The outputs shrink: the estimate follows.
        for step in 50..<150 {
            let admitted = reservation(limiter.reserve(inputTokens: 1, maxTokens: 4096, now: Double(step)))!
            limiter.settle(admitted, inputTokens: 1, outputTokens: 40, now: Double(step))
        }
        #expect(limiter.outputEstimate(maxTokens: 4096) <= 41)
    }

    @Test func theOutputEstimateNeverExceedsMaxTokens() {
        var limiter = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        for step in 0..<20 {
            let maxTokens = [64, 512, 8192][step % 3]
            let admitted = reservation(limiter.reserve(inputTokens: 1, maxTokens: maxTokens, now: Double(step)))!
            #expect(admitted.outputTokens <= maxTokens)
            limiter.settle(admitted, inputTokens: 1, outputTokens: 5000, now: Double(step))
        }
        #expect(limiter.outputEstimate(maxTokens: 300) == 300)
        #expect(limiter.outputEstimate(maxTokens: 0) == 0)
    }

    @Test func theInputEstimateLearnsTheRatioOfReportedToEstimatedTokens() {
        var limiter = RateLimiter(requestsPerMinute: nil, inputTokensPerMinute: nil, outputTokensPerMinute: nil)
        #expect(limiter.estimatedInputTokens(forBodyBytes: 4000) == 1000)
        #expect(limiter.estimatedInputTokens(forBodyBytes: 0) == 1)
        // The API reports one token per 3 bytes.
        for step in 0..<40 {
            let bytes = 3000 + 100 * step
            let estimate = limiter.estimatedInputTokens(forBodyBytes: bytes)
            let admitted = reservation(limiter.reserve(inputTokens: estimate, maxTokens: 1, now: 0))!
            limiter.settle(admitted, inputTokens: bytes / 3, outputTokens: 1, now: 0)
        }
        #expect(abs(limiter.inputTokenRatio - 4.0 / 3) < 0.01)
        #expect(abs(limiter.estimatedInputTokens(forBodyBytes: 4000) - 1333) <= 2)
        #expect(limiter.estimatedInputTokens(forBodyBytes: 1) == 1)
    }

    // MARK: - Never a wait in the past

    /// A SplitMix64 generator, so the randomised run is the same every time.
    private struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [UInt64(1), 2, 3, 42])
    func neverAnswersAWaitTimeInThePast(seed: UInt64) {
        var random = SplitMix(state: seed)
        var limiter = RateLimiter(requestsPerMinute: 120, inputTokensPerMinute: 20_000, outputTokensPerMinute: 5000)
        var now = 1_795_925_106.0  // a realistic epoch time: large magnitudes stress floating point
        var inFlight: [RateLimiter.Reservation] = []
        var admitted = 0
        for _ in 0..<20_000 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5:
                let input = Int.random(in: 0...30_000, using: &random)
                switch limiter.reserve(inputTokens: input, maxTokens: Int.random(in: 1...4096, using: &random), now: now) {
                case .admit(let reservation):
                    admitted += 1
                    inFlight.append(reservation)
                case .wait(let until):
                    #expect(until > now)
                    if Bool.random(using: &random) { now = until }
                }
            case 5, 6:
                if let reservation = inFlight.popLast() {
                    limiter.settle(
                        reservation, inputTokens: Int.random(in: 0...30_000, using: &random),
                        outputTokens: Int.random(in: 0...3000, using: &random), now: now)
                }
            case 7:
                if let reservation = inFlight.popLast() { limiter.release(reservation, now: now) }
            case 8:
                limiter.observe(
                    headers(
                        requests: (Int.random(in: 0...200, using: &random), Int.random(in: -5...200, using: &random)),
                        output: (5000, Int.random(in: 0...5000, using: &random))), now: now)
            default:
                if Int.random(in: 0..<20, using: &random) == 0 {
                    limiter.pause(until: now + Double.random(in: 0...30, using: &random))
                }
                now += Double.random(in: 0...2, using: &random)
            }
        }
        #expect(admitted > 100)
    }

    @Test func aWaitIsNeverInThePastEvenAtTheExactRefillInstant() {
        var limiter = RateLimiter(requestsPerMinute: 7, inputTokensPerMinute: 333, outputTokensPerMinute: nil)
        var now = 1_795_925_106.123
        var admitted = 0
        for _ in 0..<10_000 {
            switch limiter.reserve(inputTokens: 31, maxTokens: 1, now: now) {
            case .admit: admitted += 1
            case .wait(let until):
                #expect(until > now)
                now = until
            }
        }
        #expect(admitted > 1000)
    }
}
