/// The adaptive concurrency window: how many requests may be in flight (sent, not yet answered),
/// between 1 and `maximum` (`--concurrency`). A pure state machine: the caller reports each
/// outcome with the current time and sends while its in-flight count is below ``limit``.
///
/// - Start: when the model's rate limits are known before its first answer (`--rpm/--itpm/--otpm`,
///   or remembered from earlier jobs), at the room they leave (the requests like the first one a
///   full bucket admits at once), within `maximum`: the limits say what the API takes, so there is
///   nothing to find out, and a window of 10 would only cost a round trip at a real latency.
///   Otherwise at 10, as TCP's initial window (RFC 6928): not the whole `--concurrency` before the
///   server has said anything (the API limits sharp increases, "acceleration"), but not timid either.
/// - Slow start: a success whose rate-limit headers show room (the requests like it that the
///   model's limits would admit at once) opens the window to that room at once; without such
///   headers it grows by one per success that completed while the window was fully used, so it
///   doubles every round trip, as TCP does. At a 2 s latency that is the difference between the
///   first answer and four round trips (8 s) spent under `--concurrency`. Either way it stops at
///   the first push-back. The header-driven rate limiter, not the window, keeps a job under its
///   limits.
/// - After the first push-back, additive increase: +1 per `limit` such successes.
/// - Push-back is a 429 or a latency rise (the recent round-trip time, an average over about ten
///   answers, above `latencyTolerance` times the long-run one, about a hundred answers, and at
///   least `latencyFloor` seconds above it: the server is queueing). A 429 halves the window; a
///   latency rise takes a tenth off. Either happens at most once per round trip, so one burst of
///   failures from requests already in flight counts once.
/// - A 529, a 5xx or a timeout does not move the window: they are server failures, and a
///   brown-out's steady error share is the ``AdaptiveThrottle``'s business (it sends in proportion
///   to what the model accepts), an outage the ``CircuitBreaker``'s. Collapsing the window on every
///   529 would starve the healthy share of a brown-out, and a few hanging requests would leave the
///   job one slot wide.
struct ConcurrencyWindow: Sendable, Equatable {
    /// An outcome that moves the window.
    enum Event: Sendable, Equatable {
        /// A request succeeded after `latency` seconds; `inFlight` is how many were in flight when
        /// it completed (itself included); `room` is how many more requests like it the model's rate
        /// limits would admit at once, as its headers told (nil: no limit known).
        case success(inFlight: Int, latency: Double, room: Int? = nil)
        /// A 429 (rate limited).
        case rateLimited
        /// A 529 or 5xx: recorded, but it does not move the window.
        case overloaded
        /// An attempt timed out: a server failure like a 5xx, so it does not move the window either.
        case timeout
    }

    /// The most requests in flight ever allowed (`--concurrency`), at least 1.
    let maximum: Int
    /// The shortest time between two decreases, seconds (the round trip is used when longer).
    let minimumCooldown: Double
    /// How many times the long-run round trip the recent one may reach before it counts as a rise.
    let latencyTolerance: Double
    /// How many seconds above the long-run round trip the recent one must also be.
    let latencyFloor: Double
    /// The current window: requests that may be in flight now, in 1...maximum.
    private(set) var limit: Int
    /// True until the first push-back.
    private(set) var slowStart = true

    private var successes = 0
    private var lastDecrease: Double?
    private var recentLatency: Double?
    private var longLatency: Double?
    private var samples = 0

    /// The start when nothing is known of the model's limits: TCP's initial window (RFC 6928).
    static let defaultInitial = 10

    /// Creates a window for a model whose limits leave `knownRoom` requests like its first one
    /// (nil: no limit known yet): it starts at that room within `maximum`, else at ``defaultInitial``.
    init(maximum: Int, knownRoom: Int?) {
        self.init(maximum: maximum, initial: knownRoom ?? Self.defaultInitial)
    }

    /// Creates a window starting at `min(maximum, initial)` (at least 1).
    init(
        maximum: Int, initial: Int = defaultInitial, minimumCooldown: Double = 0.1, latencyTolerance: Double = 2, latencyFloor: Double = 0.1
    ) {
        self.maximum = max(1, maximum)
        self.minimumCooldown = max(0, minimumCooldown)
        self.latencyTolerance = latencyTolerance
        self.latencyFloor = latencyFloor
        self.limit = min(self.maximum, max(1, initial))
    }

    /// Applies an outcome at `now` (seconds) and returns the new limit.
    @discardableResult
    mutating func event(_ event: Event, now: Double) -> Int {
        switch event {
        case .success(let inFlight, let latency, let room):
            noteLatency(latency)
            if latencyRose {
                decrease(to: limit - max(1, limit / 10), now: now)
            } else if slowStart, let room, room > limit {
                // The server says it would take that many now: no need to find it out round trip by round trip.
                limit = min(maximum, room)
                successes = 0
            } else if inFlight >= limit, limit < maximum {
                successes += 1
                if slowStart || successes >= limit {
                    limit += 1
                    successes = 0
                }
            }
        case .rateLimited:
            decrease(to: limit / 2, now: now)
        case .overloaded, .timeout:
            break
        }
        return limit
    }

    private var cooldown: Double { max(minimumCooldown, recentLatency ?? 0) }

    private var latencyRose: Bool {
        guard samples >= 50, let recentLatency, let longLatency else { return false }
        return recentLatency > longLatency * latencyTolerance && recentLatency - longLatency > latencyFloor
    }

    private mutating func noteLatency(_ latency: Double) {
        samples += 1
        recentLatency = recentLatency.map { $0 + (latency - $0) * 0.1 } ?? latency
        longLatency = longLatency.map { $0 + (latency - $0) * 0.01 } ?? latency
    }

    private mutating func decrease(to target: Int, now: Double) {
        slowStart = false
        if let lastDecrease, now < lastDecrease + cooldown { return }
        limit = max(1, target)
        successes = 0
        lastDecrease = now
    }
}
