import Testing

@testable import Promptline

/// `--max-outage`'s measure, shared by both backends.
@Suite("OutageClock")
struct OutageClockTests {
    @Test func failuresCountFromTheFirstAndASuccessStartsOver() {
        var clock = OutageClock()
        #expect(clock.failed(at: 100) == 0)
        #expect(clock.failed(at: 130) == 30)
        #expect(clock.failed(at: 170) == 70)
        clock.succeeded()
        #expect(clock.failed(at: 200) == 0)
        #expect(clock.failed(at: 205) == 5)
    }
}
