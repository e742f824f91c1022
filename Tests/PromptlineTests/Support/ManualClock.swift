/// A clock on a ``TestTime``: every sleep returns at once, having moved the time to its deadline.
///
/// A ``JobClock`` on it (``TestTime/clock``) drives a job's policies, waits and checkpoints; hand the
/// same ``TestTime`` to the store's wall clock, and a record's minutes of backoff, breaker breaks and
/// waiting rounds pass in microseconds, in order.
struct ManualClock: Clock {
    struct Instant: InstantProtocol {
        var offset: Duration

        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    let time: TestTime

    var now: Instant { Instant(offset: .seconds(time.now())) }
    var minimumResolution: Duration { .milliseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        let target = Double(deadline.offset.components.seconds) + Double(deadline.offset.components.attoseconds) / 1e18
        // A sleep always takes some time (a millisecond at least), as a real one does: a loop that
        // sleeps for less than the clock's resolution still moves on.
        time.set(max(target, time.now() + 0.001))
        await Task.yield()
    }
}
