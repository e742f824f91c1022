/// The `state` column of a `requests` row, spelled as its raw value. SQL statements name states in
/// their own text; Swift reads a row's state into this before comparing it.
enum RequestState: String, Sendable {
    /// Known but neither answered nor in flight: a lease given back, or a key a batch did not answer.
    case pending
    /// Claimed by the process in `owner`, whose lease runs until `lease_expires`.
    case inflight
    /// Answered (``StoredAnswer/State``).
    case succeeded
    case errored
    case degraded
}
