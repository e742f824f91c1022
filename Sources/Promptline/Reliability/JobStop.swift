/// Thrown out of the scheduler when a job-wide condition stops the job; records stay pending.
public struct JobStop: Error, CustomStringConvertible, Sendable {
    public var reason: JobStopReason
    public var description: String { reason.description }
}
