/// The adaptive concurrency window: how many requests may be in flight, adapted by AIMD
/// (additive increase, multiplicative decrease) between 1 and `maximum` (`--concurrency`).
///
/// A pure state machine: the caller reports each outcome with the current time and dispatches
/// while its in-flight count is below ``limit``.
/// - It starts at `min(maximum, initial)` rather than at `maximum`: the API limits sharp
///   increases in traffic ("acceleration"), so a job ramps up gradually.
/// - Additive increase: +1 after `limit` successes that each completed while the window was
///   fully used (`inFlight >= limit`); successes while the window was not the bottleneck
///   prove nothing and do not count.
/// - Multiplicative decrease: halved (rounded down, at least 1) on a 429, a 529 or a timeout,
///   at most once per `cooldown` seconds, so one burst of failures from requests that were
///   already in flight counts once. A decrease also restarts the success count.
public struct ConcurrencyWindow: Sendable, Equatable {
    /// An outcome that moves the window.
    public enum Event: Sendable, Equatable {
        /// A request succeeded; `inFlight` is how many were in flight when it completed
        /// (itself included).
        case success(inFlight: Int)
        /// A 429 (rate limited).
        case rateLimited
        /// A 529 (overloaded).
        case overloaded
        /// An attempt timed out.
        case timeout
    }

    /// The most requests in flight ever allowed (`--concurrency`), at least 1.
    public let maximum: Int
    /// Seconds during which further failures do not decrease the window again.
    public let cooldown: Double
    /// The current window: requests that may be in flight now, in 1...maximum.
    public private(set) var limit: Int

    private var successes = 0
    private var lastDecrease: Double?

    /// Creates a window starting at `min(maximum, initial)` (at least 1).
    public init(maximum: Int, initial: Int = 4, cooldown: Double = 2) {
        self.maximum = max(1, maximum)
        self.cooldown = max(0, cooldown)
        self.limit = min(self.maximum, max(1, initial))
    }

    /// Applies an outcome at `now` (seconds) and returns the new limit.
    @discardableResult
    public mutating func event(_ event: Event, now: Double) -> Int {
        switch event {
        case .success(let inFlight):
            guard inFlight >= limit, limit < maximum else { break }
            successes += 1
            if successes >= limit {
                limit += 1
                successes = 0
            }
        case .rateLimited, .overloaded, .timeout:
            if let lastDecrease, now < lastDecrease + cooldown { break }
            limit = max(1, limit / 2)
            successes = 0
            lastDecrease = now
        }
        return limit
    }
}
