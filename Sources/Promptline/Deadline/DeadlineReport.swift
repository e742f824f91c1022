/// What a deadline job did, for the summary and `--summary PATH`.
struct DeadlineReport: Sendable, Codable, Equatable {
    /// The deadline (RFC 3339).
    var deadline: String
    /// The batches' pace the probe measured: share of a batch's requests finished per minute.
    var pacePerMinute: Double?
    /// Whether the job canceled its batches and sent the rest through Messages.
    var switchedToMessages: Bool
    /// Seconds from the start of the run to the switch.
    var switchedAfterSeconds: Double?
    var batchesCanceled: Int
    /// Records the batches ended without answering (canceled, expired, errored).
    var leftForMessages: Int
    /// Whether the job ended before the deadline (set when the job ends).
    var met: Bool?
    /// Records answered in this run, by backend.
    var recordsByBackend: [String: Int]?
    /// The run's cost against what the same answers would cost all through Messages.
    var costAgainstAllMessages: Double?

    /// The summary's line.
    var humanLine: String {
        var line = "  deadline \(deadline): " + (met == true ? "met" : "missed")
        if let recordsByBackend {
            line +=
                "; records answered through "
                + recordsByBackend.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        if let costAgainstAllMessages { line += String(format: "; cost %.2f × all-Messages", costAgainstAllMessages) }
        if let switchedAfterSeconds {
            line += String(
                format: "; %d batches canceled after %.0f s, %d records left to Messages", batchesCanceled, switchedAfterSeconds,
                leftForMessages)
        }
        if let pacePerMinute { line += String(format: "; the probe measured %.1f %% of a batch a minute", pacePerMinute * 100) }
        return line
    }
}
