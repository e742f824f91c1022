import Foundation

/// Wall-clock time: the one time in promptline besides a job's own (``JobClock``).
///
/// What is shared with other processes and with the API is on it: the store's leases and job
/// times (another process on the same store compares them with its own clock), a batch intent's
/// time (matched against the API's `created_at` to adopt a batch whose id was never recorded), and
/// the batches' polls and `--deadline` plan (an instant on the calendar). A job's clock starts with
/// the job and means nothing to another process, so it cannot serve for these; the batches' waits
/// are reckoned in wall time and slept on the job's clock.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    /// The system's clock.
    public static let system = WallClock { Date() }

    /// A wall clock that reads the time from `read` (a test sets it by hand).
    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    /// The time now.
    public var now: Date { read() }

    /// The time now in seconds since 1970, as the store's columns and the API's times hold it.
    var secondsSince1970: Double { now.timeIntervalSince1970 }
}
