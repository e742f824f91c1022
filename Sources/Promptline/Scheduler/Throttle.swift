import Synchronization

/// The job's dispatch throttle, shared by every request task behind one lock:
/// - one ``RateLimiter`` per model (requests, input and output tokens, learned from that model's
///   `anthropic-ratelimit-*` headers or seeded by `--rpm/--itpm/--otpm`), since the API limits each
///   model class separately and the headers describe the model that answered; a 429 from one
///   model pauses that model, not the others;
/// - the adaptive ``ConcurrencyWindow`` over requests actually in flight (HTTP sent, not yet
///   answered). A record waiting out a backoff holds no slot, so under a brown-out the window
///   stays full of live requests.
public final class Throttle: Sendable {
    /// One request's hold on the throttle: its rate-limit charge and its in-flight slot. Hand it
    /// back with exactly one of ``answered(_:headers:usage:)``, ``failed(_:failure:)`` or ``cancelled(_:)``.
    struct Permit: Sendable {
        let model: String
        let reservation: RateLimiter.Reservation
        let sentAt: Double
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var limiters: [String: RateLimiter] = [:]
        var window: ConcurrencyWindow
        var inFlight = 0
        var waiters: [Waiter] = []
        var cancelledWaiters: Set<UInt64> = []
        var nextWaiter: UInt64 = 0

        /// Gives free slots to waiters, first come first served; the caller resumes them outside the lock.
        mutating func admitWaiters() -> [CheckedContinuation<Void, any Error>] {
            var admitted: [CheckedContinuation<Void, any Error>] = []
            while inFlight < window.limit, !waiters.isEmpty {
                admitted.append(waiters.removeFirst().continuation)
                inFlight += 1
            }
            return admitted
        }
    }

    private let state: Mutex<State>
    private let seed: RateLimiter
    /// False ignores the rate-limit headers (to measure what they buy): only seeded limits and 429s throttle.
    private let headerAware: Bool
    private let clock: any Clock<Duration>
    let now: @Sendable () -> Double

    public init(
        requestsPerMinute: Int?, inputTokensPerMinute: Int?, outputTokensPerMinute: Int?, maximumConcurrency: Int,
        headerAware: Bool, clock: any Clock<Duration>, now: @escaping @Sendable () -> Double
    ) {
        self.seed = RateLimiter(
            requestsPerMinute: requestsPerMinute, inputTokensPerMinute: inputTokensPerMinute,
            outputTokensPerMinute: outputTokensPerMinute)
        self.state = Mutex(State(window: ConcurrencyWindow(maximum: maximumConcurrency)))
        self.headerAware = headerAware
        self.clock = clock
        self.now = now
    }

    /// Waits until the window has a free slot and `model`'s limits allow a request of this size,
    /// then holds both. The rate-limit charge is taken only with a slot in hand, right before the
    /// request is sent, so charges never run ahead of what is sent (a job's first requests, before
    /// any header has taught the limits, are one window's worth, not every record in progress); a
    /// request that must wait for its model's limits gives its slot back meanwhile, so a model held
    /// back by its limits never starves the others.
    func acquire(model: String, bodyBytes: Int, maxTokens: Int) async throws -> Permit {
        while true {
            try await takeSlot()
            let now = self.now()
            let decision = state.withLock { state in
                let input = state.limiters[model, default: seed].estimatedInputTokens(forBodyBytes: bodyBytes)
                return state.limiters[model, default: seed].reserve(inputTokens: input, maxTokens: maxTokens, now: now)
            }
            switch decision {
            case .admit(let reservation):
                return Permit(model: model, reservation: reservation, sentAt: now)
            case .wait(let until):
                releaseSlot()
                try await clock.sleep(for: .milliseconds(Int64(max(1, (until - now) * 1000).rounded(.up))))
            }
        }
    }

    private func releaseSlot() {
        let admitted = state.withLock { state in
            state.inFlight -= 1
            return state.admitWaiters()
        }
        for waiter in admitted { waiter.resume() }
    }

    private func takeSlot() async throws {
        let id: UInt64? = state.withLock { state in
            if state.inFlight < state.window.limit && state.waiters.isEmpty {
                state.inFlight += 1
                return nil
            }
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLock { state in
                    if state.cancelledWaiters.remove(id) != nil { return true }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
                let admitted = state.withLock { $0.admitWaiters() }
                for waiter in admitted { waiter.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                if let index = state.waiters.firstIndex(where: { $0.id == id }) {
                    return state.waiters.remove(at: index).continuation
                }
                state.cancelledWaiters.insert(id)
                return nil
            }
            waiter?.resume(throwing: CancellationError())
        }
        // A waiter admitted just as it was cancelled still holds its slot: the caller releases it.
    }

    /// An answered request: learn from its headers, settle its reservation with the usage reported,
    /// widen the window.
    func answered(_ permit: Permit, headers: RateLimitHeaders?, inputTokens: Int, outputTokens: Int) {
        let now = self.now()
        let admitted = state.withLock { state in
            state.limiters[permit.model]?.settle(permit.reservation, inputTokens: inputTokens, outputTokens: outputTokens, now: now)
            if headerAware, let headers { state.limiters[permit.model, default: seed].observe(headers, now: now) }
            state.window.event(.success(inFlight: state.inFlight, latency: now - permit.sentAt), now: now)
            state.inFlight -= 1
            return state.admitWaiters()
        }
        for waiter in admitted { waiter.resume() }
    }

    /// A failed attempt: give its reservation back; on 429 pause that model; narrow the window on 429s and timeouts.
    func failed(_ permit: Permit, failure: RequestFailure) {
        let now = self.now()
        let admitted = state.withLock { state in
            state.limiters[permit.model]?.release(permit.reservation, now: now)
            if headerAware, let headers = failure.rateLimit { state.limiters[permit.model, default: seed].observe(headers, now: now) }
            switch failure.kind {
            case .http(429):
                state.limiters[permit.model]?.pause(until: now + (failure.retryAfter ?? 1))
                state.window.event(.rateLimited, now: now)
            case .http(let status) where status >= 500:
                state.window.event(.overloaded, now: now)
            case .timeout:
                state.window.event(.timeout, now: now)
            default:
                break
            }
            state.inFlight -= 1
            return state.admitWaiters()
        }
        for waiter in admitted { waiter.resume() }
    }

    /// A request abandoned without an answer (cancelled): its charge and its slot go back.
    func cancelled(_ permit: Permit) {
        let now = self.now()
        let admitted = state.withLock { state in
            state.limiters[permit.model]?.release(permit.reservation, now: now)
            state.inFlight -= 1
            return state.admitWaiters()
        }
        for waiter in admitted { waiter.resume() }
    }

    /// Requests the window allows in flight now.
    public var concurrencyLimit: Int { state.withLock { $0.window.limit } }

    /// Requests in flight now (sent, not yet answered).
    public var inFlight: Int { state.withLock { $0.inFlight } }

    /// Each model's limits learned or seeded (per minute), and the dimension that last made its requests wait.
    public var limits: [String: ModelLimits] {
        state.withLock { state in
            state.limiters.mapValues { ModelLimits(limits: $0.limits, binding: $0.bindingDimension) }
        }
    }
}

/// One model's rate limits as the job learned them, for progress lines and the summary.
public struct ModelLimits: Sendable, Codable, Equatable {
    /// Per-minute limits by dimension (`requests`, `input_tokens`, `output_tokens`, `tokens`).
    public var limits: [String: Int]
    /// The dimension (or `pause`) that last made a request to this model wait.
    public var binding: String?
}
