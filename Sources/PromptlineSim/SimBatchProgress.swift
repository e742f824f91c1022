/// When a simulated batch's requests finish and when the batch ends: a pure timeline (unix
/// seconds), so the rules can be tested without a clock.
///
/// A steady batch of n requests finishes request i (0-based, in `custom_id` order) at
/// `createdAt + processing × (i+1)/n`, so its last request finishes as the batch ends. A cancel
/// keeps what finished by the moment it was initiated and ends the batch `cancelDelay` later; a
/// batch expires at `createdAt` + 24 h with whatever has not finished by then.
struct SimBatchProgress: Sendable, Equatable {
    /// How a batch moves.
    enum Course: Sendable, Equatable {
        /// Requests finish one by one over the processing time.
        case steady
        /// No request finishes; the batch ends at its processing time with every request `expired`
        /// (`expire_first`).
        case expiring
        /// No request finishes; the batch ends only when canceled, or at its expiry (`stall_first`).
        case stalled
    }

    /// A batch expires 24 hours after its creation, as the real API's.
    static let lifetime = 86_400.0

    var createdAt: Double
    /// Seconds from creation to the end of a steady or expiring batch.
    var processing: Double
    var total: Int
    var course: Course
    var cancelInitiatedAt: Double?
    /// Seconds from the cancel to the end (`cancel_ms`), fixed when the cancel is received.
    var cancelDelay = 0.0

    var expiresAt: Double { createdAt + Self.lifetime }

    /// When request `index` finishes on its own, or nil when it never does (an expiring or stalled
    /// batch). The last one finishes exactly at the end: the formula is not trusted to round back to it.
    func finishTime(of index: Int) -> Double? {
        guard course == .steady, (0..<total).contains(index) else { return nil }
        if index == total - 1 { return createdAt + processing }
        return createdAt + processing * Double(index + 1) / Double(total)
    }

    /// The latest finish time that still counts at `now`: later requests have not finished yet,
    /// or were canceled, or expired.
    func cutoff(now: Double) -> Double {
        min(now, cancelInitiatedAt ?? now, expiresAt)
    }

    /// When the batch ends (becomes `ended`).
    var endsAt: Double {
        if let cancelInitiatedAt { return cancelInitiatedAt + cancelDelay }
        switch course {
        case .steady, .expiring: return min(createdAt + processing, expiresAt)
        case .stalled: return expiresAt
        }
    }

    /// The result of every request that had not finished when the batch ended.
    var leftoverResult: String { cancelInitiatedAt == nil ? "expired" : "canceled" }
}
