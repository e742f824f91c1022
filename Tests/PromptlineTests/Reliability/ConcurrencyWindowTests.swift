import Testing

@testable import Promptline

@Suite struct ConcurrencyWindowTests {
    @Test(arguments: [
        (64, 4, 4), (2, 4, 2), (1, 4, 1), (64, 10, 10), (64, 0, 1), (0, 4, 1),
    ])
    func startsAtTheInitialValueCappedByTheMaximum(maximum: Int, initial: Int, expected: Int) {
        let window = ConcurrencyWindow(maximum: maximum, initial: initial)
        #expect(window.limit == expected)
    }

    /// Not timid: TCP's initial window (RFC 6928), before the server has said anything.
    @Test func startsAtTCPsInitialWindowOfTenByDefault() {
        #expect(ConcurrencyWindow(maximum: 100).limit == 10)
        #expect(ConcurrencyWindow(maximum: 6).limit == 6)
    }

    /// Limits known before the first answer: the window starts at the room they leave, within the
    /// maximum (below 10 too: a window wider than the limits admit would only burst into 429s).
    @Test(arguments: [
        (64, 4_000, 64), (64, 25, 25), (64, 3, 3), (64, 0, 1), (1_000, 1_000, 1_000), (64, nil, 10), (6, nil, 6),
    ])
    func startsAtTheRoomTheKnownLimitsLeave(maximum: Int, knownRoom: Int?, expected: Int) {
        let window = ConcurrencyWindow(maximum: maximum, knownRoom: knownRoom)
        #expect(window.limit == expected)
        #expect(window.slowStart)
    }

    /// A start at the known room keeps the window's protection: a 429 halves it, and a latency rise
    /// takes a tenth off.
    @Test func aWindowStartedAtTheKnownRoomStillNarrowsOnPushBack() {
        var limited = ConcurrencyWindow(maximum: 64, knownRoom: 4_000)
        #expect(limited.event(.rateLimited, now: 1) == 32)
        #expect(!limited.slowStart)
        var queueing = ConcurrencyWindow(maximum: 64, knownRoom: 4_000)
        var now = 0.0
        for _ in 0..<100 {
            now += 0.01
            queueing.event(.success(inFlight: 64, latency: 0.2), now: now)
        }
        #expect(queueing.limit == 64)
        for _ in 0..<50 {
            now += 0.05
            queueing.event(.success(inFlight: 64, latency: 1.5), now: now)
        }
        #expect(queueing.limit < 64)
    }

    /// Slow start without rate-limit headers: every success of a fully used window adds one, so the
    /// window doubles per round trip.
    @Test func doublesEveryRoundTripUntilSomethingPushesBack() {
        var window = ConcurrencyWindow(maximum: 64, initial: 4)
        var now = 0.0
        var perRoundTrip: [Int] = []
        for _ in 0..<5 {
            now += 2  // a 2 s round trip: the whole window completes, each success completing a full window
            for _ in 0..<window.limit { window.event(.success(inFlight: window.limit, latency: 2), now: now) }
            perRoundTrip.append(window.limit)
        }
        #expect(perRoundTrip == [8, 16, 32, 64, 64])
    }

    /// The first answer whose headers show room for the whole `--concurrency` opens the window to it:
    /// at a 2 s latency, one answer instead of three more round trips.
    @Test func inSlowStartTheFirstAnswerWithRoomOpensTheWindowToIt() {
        var window = ConcurrencyWindow(maximum: 64)
        #expect(window.event(.success(inFlight: 10, latency: 1, room: 4_000), now: 1) == 64)
        var narrow = ConcurrencyWindow(maximum: 64)
        #expect(narrow.event(.success(inFlight: 10, latency: 1, room: 25), now: 1) == 25)
        #expect(narrow.slowStart)
    }

    /// Room is no reason to shrink: a model near its limit leaves the pacing to the rate limiter.
    @Test func littleRoomDoesNotShrinkTheWindow() {
        var window = ConcurrencyWindow(maximum: 64, initial: 20)
        #expect(window.event(.success(inFlight: 20, latency: 1, room: 3), now: 1) == 21)
    }

    /// After a push-back the window is the server's answer, not the headers': room no longer opens it.
    @Test func afterAPushBackRoomNoLongerOpensTheWindow() {
        var window = ConcurrencyWindow(maximum: 64, initial: 20)
        window.event(.rateLimited, now: 1)
        #expect(window.event(.success(inFlight: 10, latency: 1, room: 4_000), now: 2) == 10)
    }

    /// The window's protection stays: a 429 halves a window opened by the headers.
    @Test func aRateLimitHalvesAWindowTheHeadersOpened() {
        var window = ConcurrencyWindow(maximum: 64)
        window.event(.success(inFlight: 10, latency: 1, room: 4_000), now: 1)
        #expect(window.event(.rateLimited, now: 2) == 32)
    }

    @Test func afterAPushBackItGrowsByOnePerFullWindowOfSuccesses() {
        var window = ConcurrencyWindow(maximum: 64, initial: 20)
        window.event(.rateLimited, now: 1)  // 20 → 10, slow start over
        #expect(!window.slowStart)
        var limits: [Int] = []
        for step in 0..<(10 + 11) {
            limits.append(window.event(.success(inFlight: window.limit, latency: 0.03), now: 2 + Double(step) * 0.01))
        }
        #expect(limits.prefix(9).allSatisfy { $0 == 10 })
        #expect(limits[9] == 11)
        #expect(limits.last == 12)
    }

    @Test func successesWhileTheWindowIsNotFullyUsedDoNotRampUp() {
        var window = ConcurrencyWindow(maximum: 10, initial: 4)
        for step in 0..<1000 {
            window.event(.success(inFlight: 3, latency: 0.03), now: Double(step))
        }
        #expect(window.limit == 4)
    }

    @Test func halvesOnRateLimit() {
        var window = ConcurrencyWindow(maximum: 64, initial: 33)
        let first = window.event(.rateLimited, now: 0)
        let second = window.event(.rateLimited, now: 10)
        let third = window.event(.rateLimited, now: 20)
        #expect([first, second, third] == [16, 8, 4])
    }

    /// A brown-out's steady 529s are the adaptive throttle's business: the window neither shrinks nor
    /// stops growing, so the healthy share of the traffic keeps the concurrency asked for.
    @Test func overloadServerErrorsAndTimeoutsDoNotMoveTheWindow() {
        var window = ConcurrencyWindow(maximum: 32, initial: 32)
        for step in 0..<1000 { window.event(step % 2 == 0 ? .overloaded : .timeout, now: Double(step) * 0.01) }
        #expect(window.limit == 32)
        var growing = ConcurrencyWindow(maximum: 32)
        var now = 0.0
        for step in 0..<400 {
            now += 0.01
            let event: ConcurrencyWindow.Event = step % 3 == 0 ? .overloaded : .success(inFlight: growing.limit, latency: 0.03)
            growing.event(event, now: now)
        }
        #expect(growing.limit == 32)
        #expect(growing.slowStart)
    }

    @Test func neverFallsBelowOne() {
        var window = ConcurrencyWindow(maximum: 8, initial: 2)
        var lowest = Int.max
        for step in 0..<50 {
            lowest = min(lowest, window.event(.rateLimited, now: Double(step) * 3))
        }
        #expect(lowest == 1)
        #expect(window.limit == 1)
    }

    @Test func neverRisesAboveTheMaximum() {
        var window = ConcurrencyWindow(maximum: 12)
        var highest = 0
        for step in 0..<10_000 {
            highest = max(highest, window.event(.success(inFlight: 1000, latency: 0.01), now: Double(step) * 0.01))
        }
        #expect(highest == 12)
        #expect(window.limit == 12)
    }

    /// At most one decrease per round trip: the failures of requests already in flight count once.
    @Test func decreasesOnlyOncePerRoundTripDuringABurstOfFailures() {
        var window = ConcurrencyWindow(maximum: 64, initial: 32)
        for step in 0..<60 { window.event(.success(inFlight: 1, latency: 2), now: Double(step) * 0.01) }  // round trip 2 s
        var limits: [Int] = []
        for step in 0..<19 {  // nineteen 429s within 1.9 s: one decrease
            limits.append(window.event(.rateLimited, now: 100 + Double(step) * 0.1))
        }
        #expect(Set(limits) == [16])
        #expect(window.event(.rateLimited, now: 102.01) == 8)
        #expect(window.event(.rateLimited, now: 103.9) == 8)
    }

    /// Latency as the signal that the server is queueing (a gradient, as Netflix's limiters use):
    /// when the recent round trip rises to several times the long-run one, the window shrinks.
    @Test func aSustainedLatencyRiseShrinksTheWindow() {
        var window = ConcurrencyWindow(maximum: 64, initial: 40)
        var now = 0.0
        for _ in 0..<200 {
            now += 0.01
            window.event(.success(inFlight: 1, latency: 0.2), now: now)
        }
        #expect(window.limit == 40)
        for _ in 0..<100 {
            now += 0.05
            window.event(.success(inFlight: 1, latency: 1.5), now: now)
        }
        #expect(window.limit < 40)
        #expect(!window.slowStart)
    }

    @Test func latencyNoiseAroundASteadyMedianDoesNotShrinkTheWindow() {
        var window = ConcurrencyWindow(maximum: 64, initial: 64)
        var now = 0.0
        var seed: UInt64 = 42
        for _ in 0..<5000 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let draw = Double(seed >> 11) / Double(1 << 53)
            // 2 s median, a 6 s tail for one answer in a hundred.
            let latency = draw > 0.99 ? 6.0 : 1.0 + 2 * draw
            now += 0.03
            window.event(.success(inFlight: 64, latency: latency), now: now)
        }
        #expect(window.limit == 64)
    }

    /// Minutes of a closed loop against a server that answers 429 once more than 20 requests
    /// are in flight: the window saws around the server's capacity and stays within bounds.
    @Test func settlesAroundTheServersCapacityOverSimulatedMinutes() {
        let capacity = 20
        var window = ConcurrencyWindow(maximum: 50)
        var now = 0.0
        var limits: [Int] = []
        while now < 600 {
            now += 0.05  // one completion every 50 ms
            let inFlight = window.limit  // the scheduler keeps the window full
            let event: ConcurrencyWindow.Event = inFlight > capacity ? .rateLimited : .success(inFlight: inFlight, latency: 0.05)
            let limit = window.event(event, now: now)
            #expect((1...50).contains(limit))
            if now > 300 { limits.append(limit) }
        }
        #expect(limits.max()! <= capacity + 1)
        #expect(limits.min()! >= capacity / 2)
    }
}
