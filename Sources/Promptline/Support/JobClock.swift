/// A job's one monotonic time: the clock it sleeps on and reads the time from, counted from the
/// job's start.
///
/// Every part of a job (the policies, the throttle, the prompt cache, record deadlines, the grace
/// period, checkpoints, progress and the summary's wall time) takes this one value, so a test that
/// injects a manual clock drives all of them at once: minutes of backoff pass in microseconds, in
/// order. The only other time in promptline is wall-clock time (``WallClock``), for what is shared
/// with other processes and the API.
struct JobClock: Sendable {
    /// A moment of the job: the time passed since its start on its clock.
    struct Instant: Sendable, Hashable, Comparable {
        /// Time on the job's clock since the job started.
        let sinceStart: Duration

        /// The job's start.
        static let start = Instant(sinceStart: .zero)

        /// Seconds since the job's start: the summary's wall time, and the `now` of the policies that
        /// still count in seconds (``RateLimiter``, ``ConcurrencyWindow``, ``OutageClock``).
        var seconds: Double { sinceStart.seconds }

        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.sinceStart < rhs.sinceStart }
        static func + (lhs: Instant, rhs: Duration) -> Instant { Instant(sinceStart: lhs.sinceStart + rhs) }
        static func - (lhs: Instant, rhs: Duration) -> Instant { Instant(sinceStart: lhs.sinceStart - rhs) }
        static func - (lhs: Instant, rhs: Instant) -> Duration { lhs.sinceStart - rhs.sinceStart }
    }

    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void

    /// The job's time on `clock`, starting now.
    init(_ clock: some Clock<Duration>) {
        let start = clock.now
        elapsed = { start.duration(to: clock.now) }
        sleeper = { try await clock.sleep(for: $0) }
    }

    /// The time now.
    var now: Instant { Instant(sinceStart: elapsed()) }

    /// Sleeps for `duration` on the clock; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws {
        try await sleeper(duration)
    }

    /// Sleeps until `instant` on the clock; throws `CancellationError` when the task is cancelled.
    func sleep(until instant: Instant) async throws {
        try await sleep(for: instant - now)
    }
}
