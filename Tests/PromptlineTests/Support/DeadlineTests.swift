import Foundation
import Testing

@testable import Promptline

@Suite struct DeadlineTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: [("90m", 5400.0), ("6h", 21600), ("45s", 45), ("1h30m", 5400), ("2h0m10s", 7210)])
    func aDurationCountsFromNow(text: String, seconds: Double) throws {
        let deadline = try #require(Deadline(text, now: now))
        #expect(deadline.remaining(from: now) == seconds)
    }

    @Test func anRFC3339TimeIsTakenAsIs() throws {
        let deadline = try #require(Deadline("2026-12-03T06:00:00Z", now: now))
        #expect(deadline.date == Date(timeIntervalSince1970: 1_796_277_600))
        #expect(deadline.description == "2026-12-03T06:00:00Z")
    }

    @Test(arguments: ["", "90", "m", "5x", "30s1m", "0m", "tomorrow", "2026-13-03T06:00:00Z"])
    func anythingElseIsRefused(text: String) {
        #expect(Deadline(text, now: now) == nil)
    }
}
