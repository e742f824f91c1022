import Foundation

/// The process exit statuses (SPEC §7, with sysexits' 66 and 74), in one place.
public enum ExitStatus: Int32, Sendable, Codable, CaseIterable {
    /// Every record succeeded (or a finished job was run again).
    case success = 0
    /// The output is complete but some records are `errored` or `invalid`.
    case someRecordsFailed = 1
    /// Bad usage: options, a price table, a budget that cannot be kept (EX_USAGE).
    case usage = 64
    /// Unusable input: an unreadable file, an invalid line under `--strict` (EX_DATAERR).
    case unusableInput = 65
    /// No store where one is needed (EX_NOINPUT).
    case noInput = 66
    /// A failure promptline did not classify: a bug to report, with its message (EX_SOFTWARE).
    /// Committed results are safe all the same.
    case internalError = 70
    /// The store or the output cannot be read or written (EX_IOERR).
    case cannotWrite = 74
    /// Stopped early; run the same command again later to resume: outage, budget, billing (EX_TEMPFAIL).
    case stoppedEarly = 75
    /// Authentication or permission refused (EX_NOPERM).
    case notPermitted = 77
    /// Interrupted by SIGINT (128 + 2).
    case interrupted = 130
    /// Stopped by SIGTERM (128 + 15).
    case terminated = 143

    /// The status of a job stopped by `signal` (SIGINT or SIGTERM).
    public static func stopped(by signal: Int32) -> ExitStatus {
        signal == SIGTERM ? .terminated : .interrupted
    }

    /// True when the job stopped with records pending and the same command resumes it.
    public var isResumable: Bool {
        self == .stoppedEarly || self == .interrupted || self == .terminated
    }
}
