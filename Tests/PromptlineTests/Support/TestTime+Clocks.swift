import Foundation

@testable import Promptline

extension TestTime {
    /// A job's clock on this time: it reads the time set here (from the time at the call), and its
    /// sleeps move the time on (``ManualClock``).
    var clock: JobClock { JobClock(ManualClock(time: self)) }

    /// A wall clock on this time, in seconds since 1970 (the store's leases and job times).
    var wallClock: WallClock { WallClock { Date(timeIntervalSince1970: self.now()) } }
}

extension JobClock.Instant {
    /// The moment `seconds` after the job's start.
    static func at(_ seconds: Double) -> Self { .start + .seconds(seconds) }
}
