import Synchronization

/// The job's dispatch throttle, shared by every request task behind one lock:
/// - one ``RateLimiter`` per model (requests, input and output tokens, learned from that model's
///   `anthropic-ratelimit-*` headers or seeded by `--rpm/--itpm/--otpm`), since the API limits each
///   model class separately and the headers describe the model that answered; a 429 from one
///   model pauses that model, not the others;
/// - one adaptive ``ConcurrencyWindow`` per model over its requests actually in flight (HTTP sent,
///   not yet answered), within `--concurrency` for all models together. A record waiting out a
///   backoff holds no slot, so under a brown-out the window stays full of live requests; and a
///   model the job has not used yet (a fallback when the primary goes down) starts its own slow
///   start, so a fallback that is down too costs a few requests, not a whole window. A model whose
///   limits are known before its first answer (the flags, or what earlier jobs remembered of it)
///   starts at the room they leave instead (see ``ConcurrencyWindow``).
final class Throttle: Sendable {
    /// One request's hold on the throttle: its rate-limit charge and its in-flight slot. Hand it
    /// back with exactly one of `answered` (then `release`, when it kept its slot), `failed` or `cancelled`.
    struct Permit: Sendable {
        let model: String
        let reservation: RateLimiter.Reservation
        let sentAt: Double
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    /// One model's share of the window: its own adaptive limit, requests in flight and queue.
    private struct Lane {
        var window: ConcurrencyWindow
        var inFlight = 0
        var waiters: [Waiter] = []
    }

    private struct State {
        let maximum: Int
        var limiters: [String: RateLimiter] = [:]
        var lanes: [String: Lane] = [:]
        /// Requests in flight, all models.
        var inFlight = 0
        var cancelledWaiters: Set<UInt64> = []
        var nextWaiter: UInt64 = 0
        /// Set by ``Throttle/stop()``: no slot is given any more.
        var stopped = false

        /// `model`'s lane, opened (its window starting at `knownRoom`, asked only then) if the job has not used it yet.
        mutating func lane(_ model: String, knownRoom: () -> Int?) -> Lane {
            if let lane = lanes[model] { return lane }
            let lane = Lane(window: ConcurrencyWindow(maximum: maximum, knownRoom: knownRoom()))
            lanes[model] = lane
            return lane
        }

        func hasRoom(_ lane: Lane) -> Bool { inFlight < maximum && lane.inFlight < lane.window.limit }

        mutating func take(_ model: String) {
            lanes[model]?.inFlight += 1
            inFlight += 1
        }

        mutating func give(_ model: String) {
            lanes[model]?.inFlight -= 1
            inFlight -= 1
        }

        /// Gives free slots to waiters: among the models with room and waiters, the one with the fewest
        /// requests in flight first (a fair share, so a model coming back from an outage gets its probes
        /// out at once instead of queueing behind the fallback's backlog), then the longest-waiting; the
        /// caller resumes them outside the lock.
        mutating func admitWaiters() -> [CheckedContinuation<Void, any Error>] {
            var admitted: [CheckedContinuation<Void, any Error>] = []
            while inFlight < maximum {
                var next: (model: String, inFlight: Int, id: UInt64)?
                for (model, lane) in lanes where lane.inFlight < lane.window.limit {
                    guard let head = lane.waiters.first else { continue }
                    if let best = next, (best.inFlight, best.id) <= (lane.inFlight, head.id) { continue }
                    next = (model, lane.inFlight, head.id)
                }
                guard let next else { break }
                admitted.append(lanes[next.model]!.waiters.removeFirst().continuation)
                take(next.model)
            }
            return admitted
        }
    }

    private let state: Mutex<State>
    private let seed: RateLimiter
    /// The limits known of the models earlier jobs remembered, before their first answer (the flags'
    /// where given): what their windows start at. Other models have the flags' (`seed`).
    private let remembered: [String: RateLimiter]
    /// False ignores the rate-limit headers (to measure what they buy): only seeded limits and 429s throttle.
    private let headerAware: Bool
    private let clock: JobClock

    /// - Parameter remembered: what earlier jobs learned of each model's limits (``Store/memories()``):
    ///   a window starts at the room they leave; the limiter still learns the limits from the headers
    ///   (another job may have used the buckets since). Ignored when not `headerAware`, since they
    ///   were learned from headers.
    init(
        requestsPerMinute: Int?, inputTokensPerMinute: Int?, outputTokensPerMinute: Int?, maximumConcurrency: Int,
        headerAware: Bool, remembered: [String: ModelMemory] = [:], clock: JobClock
    ) {
        self.seed = RateLimiter(
            requestsPerMinute: requestsPerMinute, inputTokensPerMinute: inputTokensPerMinute,
            outputTokensPerMinute: outputTokensPerMinute)
        self.remembered = (headerAware ? remembered : [:]).mapValues { memory in
            RateLimiter(
                requestsPerMinute: requestsPerMinute ?? memory.requestsPerMinute,
                inputTokensPerMinute: inputTokensPerMinute ?? memory.inputTokensPerMinute, outputTokensPerMinute: outputTokensPerMinute)
        }
        self.state = Mutex(State(maximum: max(1, maximumConcurrency)))
        self.headerAware = headerAware
        self.clock = clock
    }

    /// Waits until the window has a free slot and `model`'s limits allow a request of this size,
    /// then holds both. The rate-limit charge is taken only with a slot in hand, right before the
    /// request is sent, so charges never run ahead of what is sent (a job's first requests, before
    /// any header has taught the limits, are one window's worth, not every record in progress); a
    /// request that must wait for its model's limits gives its slot back meanwhile, so a model held
    /// back by its limits never starves the others.
    ///
    /// A wait for a slot ends with `CancellationError` once ``stop()`` is called; a wait for the
    /// model's rate limit ends so when `stopGate` stops.
    func acquire(model: String, bodyBytes: Int, maxTokens: Int, stopGate: StopGate? = nil) async throws -> Permit {
        while true {
            try await takeSlot(model, bodyBytes: bodyBytes, maxTokens: maxTokens)
            let now = clock.now.seconds
            let decision = state.withLock { state in
                let input = state.limiters[model, default: seed].estimatedInputTokens(forBodyBytes: bodyBytes)
                return state.limiters[model, default: seed].reserve(inputTokens: input, maxTokens: maxTokens, now: now)
            }
            switch decision {
            case .admit(let reservation):
                return Permit(model: model, reservation: reservation, sentAt: now)
            case .wait(let until):
                releaseSlot(model)
                let pause = max(Duration.milliseconds(1), .seconds(until - now))
                if let stopGate {
                    try await stopGate.guarding { [clock] in try await clock.sleep(for: pause) }
                } else {
                    try await clock.sleep(for: pause)
                }
            }
        }
    }

    /// Ends every wait for a slot with `CancellationError`, now and later: the job is stopping.
    func stop() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.stopped = true
            var waiters: [CheckedContinuation<Void, any Error>] = []
            for model in state.lanes.keys {
                waiters += state.lanes[model]!.waiters.map(\.continuation)
                state.lanes[model]!.waiters = []
            }
            return waiters
        }
        for waiter in waiters { waiter.resume(throwing: CancellationError()) }
    }

    private func releaseSlot(_ model: String) {
        let admitted = state.withLock { state in
            state.give(model)
            return state.admitWaiters()
        }
        for waiter in admitted { waiter.resume() }
    }

    private func takeSlot(_ model: String, bodyBytes: Int, maxTokens: Int) async throws {
        let id: UInt64? = try state.withLock { state in
            if state.stopped { throw CancellationError() }
            let lane = state.lane(model) {
                (remembered[model] ?? seed).room(forBodyBytes: bodyBytes, maxTokens: maxTokens, now: clock.now.seconds)
            }
            if state.hasRoom(lane) && lane.waiters.isEmpty {
                state.take(model)
                return nil
            }
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLock { state in
                    if state.cancelledWaiters.remove(id) != nil || state.stopped { return true }
                    state.lanes[model]?.waiters.append(Waiter(id: id, continuation: continuation))
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
                let admitted = state.withLock { $0.admitWaiters() }
                for waiter in admitted { waiter.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                if let index = state.lanes[model]?.waiters.firstIndex(where: { $0.id == id }) {
                    return state.lanes[model]?.waiters.remove(at: index).continuation
                }
                state.cancelledWaiters.insert(id)
                return nil
            }
            waiter?.resume(throwing: CancellationError())
        }
        // A waiter admitted just as it was cancelled still holds its slot: the caller's permit gives it back.
    }

    /// An answered request: learn from its headers, settle its reservation with the usage reported,
    /// widen the window (in its slow start, to the room the model's limits now show).
    ///
    /// With `keepingSlot`, the request's slot stays taken until ``release(_:)`` (its answer is not yet
    /// committed, so it still counts against the concurrency).
    func answered(_ permit: Permit, headers: RateLimitHeaders?, inputTokens: Int, outputTokens: Int, keepingSlot: Bool = false) {
        let now = clock.now.seconds
        let admitted = state.withLock { state in
            state.limiters[permit.model]?.settle(permit.reservation, inputTokens: inputTokens, outputTokens: outputTokens, now: now)
            if headerAware, let headers { state.limiters[permit.model, default: seed].observe(headers, now: now) }
            let inFlight = state.lanes[permit.model]?.inFlight ?? 0
            let room = state.limiters[permit.model]?.room(like: permit.reservation, now: now)
            state.lanes[permit.model]?.window.event(
                .success(inFlight: inFlight, latency: now - permit.sentAt, room: room), now: now)
            guard !keepingSlot else { return [CheckedContinuation<Void, any Error>]() }
            state.give(permit.model)
            return state.admitWaiters()
        }
        for waiter in admitted { waiter.resume() }
    }

    /// A failed attempt: give its reservation back; on 429 pause that model. Every failure is told to
    /// the model's window, which narrows on 429s only (5xx and timeouts are the adaptive throttle's).
    func failed(_ permit: Permit, failure: RequestFailure) {
        let now = clock.now.seconds
        let admitted = state.withLock { state in
            state.limiters[permit.model]?.release(permit.reservation, now: now)
            if headerAware, let headers = failure.rateLimit { state.limiters[permit.model, default: seed].observe(headers, now: now) }
            switch failure.kind {
            case .http(429):
                state.limiters[permit.model]?.pause(until: now + (failure.retryAfter ?? 1))
                state.lanes[permit.model]?.window.event(.rateLimited, now: now)
            case .http(let status) where status >= 500:
                state.lanes[permit.model]?.window.event(.overloaded, now: now)
            case .timeout:
                state.lanes[permit.model]?.window.event(.timeout, now: now)
            default:
                break
            }
            state.give(permit.model)
            return state.admitWaiters()
        }
        for waiter in admitted { waiter.resume() }
    }

    /// Gives back the slot of a request answered with `keepingSlot`.
    func release(_ permit: Permit) {
        releaseSlot(permit.model)
    }

    /// A request abandoned without an answer (cancelled): its charge and its slot go back.
    func cancelled(_ permit: Permit) {
        let now = clock.now.seconds
        let admitted = state.withLock { state in
            state.limiters[permit.model]?.release(permit.reservation, now: now)
            state.give(permit.model)
            return state.admitWaiters()
        }
        for waiter in admitted { waiter.resume() }
    }

    /// Requests the windows allow in flight now, all models together (at most `--concurrency`).
    var concurrencyLimit: Int {
        state.withLock { state in min(state.maximum, state.lanes.values.reduce(0) { $0 + $1.window.limit }) }
    }

    /// Requests waiting for a slot now, all models.
    var waiting: Int { state.withLock { $0.lanes.values.reduce(0) { $0 + $1.waiters.count } } }

    /// Requests in flight now (sent, not yet answered).
    var inFlight: Int { state.withLock { $0.inFlight } }

    /// Each model's limits learned or seeded (per minute), and the dimension that last made its requests wait.
    var limits: [String: ModelLimits] {
        state.withLock { state in
            state.limiters.mapValues { ModelLimits(limits: $0.limits, binding: $0.bindingDimension) }
        }
    }
}

/// One model's rate limits as the job learned them, for progress lines and the summary.
struct ModelLimits: Sendable, Codable, Equatable {
    /// Per-minute limits by dimension (`requests`, `input_tokens`, `output_tokens`, `tokens`).
    var limits: [String: Int]
    /// The dimension (or `pause`) that last made a request to this model wait.
    var binding: RateLimiter.Binding?
}
