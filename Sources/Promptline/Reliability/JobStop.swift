/// Thrown out of the scheduler when a job-wide condition stops the job; records stay pending.
struct JobStop: Error, CustomStringConvertible, Sendable {
    var reason: JobStopReason
    var description: String { reason.description }
}
