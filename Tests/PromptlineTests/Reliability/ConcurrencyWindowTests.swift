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

    @Test func startsAtFourByDefault() {
        #expect(ConcurrencyWindow(maximum: 100).limit == 4)
    }

    @Test func rampsUpByOnePerFullWindowOfSuccesses() {
        var window = ConcurrencyWindow(maximum: 10)
        var limits: [Int] = []
        var now = 0.0
        for _ in 0..<(4 + 5 + 6) {
            now += 0.1
            limits.append(window.event(.success(inFlight: window.limit), now: now))
        }
        // 4 successes at limit 4 → 5; 5 at 5 → 6; 6 at 6 → 7.
        #expect(limits == [4, 4, 4, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 7])
    }

    @Test func successesWhileTheWindowIsNotFullyUsedDoNotRampUp() {
        var window = ConcurrencyWindow(maximum: 10)
        for step in 0..<1000 {
            window.event(.success(inFlight: 3), now: Double(step))
        }
        #expect(window.limit == 4)
    }

    @Test(arguments: [ConcurrencyWindow.Event.rateLimited, .overloaded, .timeout])
    func halvesOnRateLimitOverloadAndTimeout(event: ConcurrencyWindow.Event) {
        var window = ConcurrencyWindow(maximum: 64, initial: 33)
        let first = window.event(event, now: 0)
        let second = window.event(event, now: 10)
        let third = window.event(event, now: 20)
        #expect([first, second, third] == [16, 8, 4])
    }

    @Test func neverFallsBelowOne() {
        var window = ConcurrencyWindow(maximum: 8, initial: 2)
        var lowest = Int.max
        for step in 0..<50 {
            lowest = min(lowest, window.event(.overloaded, now: Double(step) * 3))
        }
        #expect(lowest == 1)
        #expect(window.limit == 1)
    }

    @Test func neverRisesAboveTheMaximum() {
        var window = ConcurrencyWindow(maximum: 12)
        var highest = 0
        for step in 0..<10_000 {
            highest = max(highest, window.event(.success(inFlight: 1000), now: Double(step) * 0.01))
        }
        #expect(highest == 12)
        #expect(window.limit == 12)
    }

    @Test func decreasesOnlyOncePerCooldownDuringABurstOfFailures() {
        var window = ConcurrencyWindow(maximum: 64, initial: 32, cooldown: 2)
        var limits: [Int] = []
        // Twenty failures within 1.9 s: one decrease.
        for step in 0..<20 {
            limits.append(window.event(.rateLimited, now: 100 + Double(step) * 0.1))
        }
        #expect(Set(limits) == [16])
        // Once the cooldown has passed, the next failure counts again.
        let afterCooldown = window.event(.timeout, now: 102)
        #expect(afterCooldown == 8)
        let withinNewCooldown = window.event(.overloaded, now: 103.9)
        #expect(withinNewCooldown == 8)
    }

    @Test func aDecreaseRestartsTheSuccessCount() {
        var window = ConcurrencyWindow(maximum: 64, initial: 8)
        for step in 0..<7 { window.event(.success(inFlight: 8), now: Double(step)) }
        window.event(.rateLimited, now: 10)  // 8 → 4, count restarted
        var limits: [Int] = []
        for step in 0..<4 { limits.append(window.event(.success(inFlight: 4), now: 11 + Double(step))) }
        #expect(limits == [4, 4, 4, 5])
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
            let event: ConcurrencyWindow.Event = inFlight > capacity ? .rateLimited : .success(inFlight: inFlight)
            let limit = window.event(event, now: now)
            #expect((1...50).contains(limit))
            if now > 300 { limits.append(limit) }
        }
        #expect(limits.max()! <= capacity + 1)
        #expect(limits.min()! >= capacity / 2)
    }
}
