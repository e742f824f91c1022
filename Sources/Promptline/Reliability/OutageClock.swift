/// How long an API has been failing with no success in between: what `--max-outage` limits, for
/// the Messages backend (no model could serve a record) and the Batches backend (polls and creates
/// that fail) alike. A pure value: the caller gives the time.
struct OutageClock: Sendable, Equatable {
    /// When the current run of failures began; nil after a success.
    private var since: Double?

    init() {}

    /// A success ends the outage.
    mutating func succeeded() { since = nil }

    /// Notes a failure at `now` (seconds); returns how long failures have lasted without a success.
    mutating func failed(at now: Double) -> Double {
        let first = since ?? now
        since = first
        return now - first
    }
}
