/// When to poll one batch next: a pure state machine over times in seconds.
///
/// The first poll comes sooner than the interval (a quarter of it); after that polls are at least
/// `interval` apart, and the gap grows by half each time nothing changed (the batch's status and
/// counts), up to ten intervals (and never past ten minutes unless the interval itself is longer).
/// A change brings the gap back to the interval.
struct PollSchedule: Equatable {
    let interval: Double
    /// The longest gap backoff reaches.
    let maxGap: Double
    /// When the next poll is due.
    private(set) var nextAt: Double
    private(set) var gap: Double

    init(interval: Double, start: Double) {
        self.interval = interval
        self.maxGap = max(interval, min(interval * 10, 600))
        self.nextAt = start + interval / 4
        self.gap = interval
    }

    /// Records a poll made at `now`; `changed` says whether the batch moved since the last one.
    mutating func polled(at now: Double, changed: Bool) {
        gap = changed ? interval : min(maxGap, max(interval, gap * 1.5))
        nextAt = now + gap
    }

    /// Records a failed poll (the API unreachable): tried again after the current gap.
    mutating func failed(at now: Double) {
        nextAt = now + max(interval, gap)
    }
}
