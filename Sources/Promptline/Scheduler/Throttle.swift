import Synchronization

/// The job's dispatch throttle: the ``RateLimiter`` (requests, input and output tokens, learned
/// from every response's `anthropic-ratelimit-*` headers or seeded by `--rpm/--itpm/--otpm`) and
/// the adaptive ``ConcurrencyWindow``, shared by every request task behind one lock.
public final class Throttle: Sendable {
    private struct State {
        var limiter: RateLimiter
        var window: ConcurrencyWindow
    }

    private let state: Mutex<State>
    /// False ignores the rate-limit headers (to measure what they buy): only seeded limits and 429s throttle.
    private let headerAware: Bool
    private let clock: any Clock<Duration>
    let now: @Sendable () -> Double

    public init(
        requestsPerMinute: Int?, inputTokensPerMinute: Int?, outputTokensPerMinute: Int?, maximumConcurrency: Int,
        headerAware: Bool, clock: any Clock<Duration>, now: @escaping @Sendable () -> Double
    ) {
        self.state = Mutex(State(
            limiter: RateLimiter(
                requestsPerMinute: requestsPerMinute, inputTokensPerMinute: inputTokensPerMinute,
                outputTokensPerMinute: outputTokensPerMinute),
            window: ConcurrencyWindow(maximum: maximumConcurrency)))
        self.headerAware = headerAware
        self.clock = clock
        self.now = now
    }

    /// Waits until every limit allows a request of this size, then holds its reservation.
    func acquire(bodyBytes: Int, maxTokens: Int) async throws -> RateLimiter.Reservation {
        while true {
            let now = self.now()
            let decision = state.withLock { state in
                state.limiter.reserve(
                    inputTokens: state.limiter.estimatedInputTokens(forBodyBytes: bodyBytes), maxTokens: maxTokens, now: now)
            }
            switch decision {
            case .admit(let reservation):
                return reservation
            case .wait(let until):
                try await clock.sleep(for: .milliseconds(Int64(max(1, (until - now) * 1000).rounded(.up))))
            }
        }
    }

    /// An answered request: learn from its headers, settle its reservation with the usage reported.
    func answered(_ reservation: RateLimiter.Reservation, headers: RateLimitHeaders?, inputTokens: Int, outputTokens: Int, inFlight: Int) {
        let now = self.now()
        state.withLock { state in
            if headerAware, let headers { state.limiter.observe(headers, now: now) }
            state.limiter.settle(reservation, inputTokens: inputTokens, outputTokens: outputTokens, now: now)
            state.window.event(.success(inFlight: inFlight), now: now)
        }
    }

    /// A failed attempt: give its reservation back; on 429 pause all dispatch; narrow the window on 429, 529 and timeouts.
    func failed(_ reservation: RateLimiter.Reservation, failure: RequestFailure) {
        let now = self.now()
        state.withLock { state in
            if headerAware, let headers = failure.rateLimit { state.limiter.observe(headers, now: now) }
            state.limiter.release(reservation, now: now)
            switch failure.kind {
            case .http(429):
                state.limiter.pause(until: now + (failure.retryAfter ?? 1))
                state.window.event(.rateLimited, now: now)
            case .http(529):
                state.window.event(.overloaded, now: now)
            case .timeout:
                state.window.event(.timeout, now: now)
            default:
                break
            }
        }
    }

    /// Requests the window allows in flight now.
    public var concurrencyLimit: Int { state.withLock { $0.window.limit } }

    /// The limits learned or seeded, and the dimension that last made a request wait.
    public var limits: (limits: [String: Int], binding: String?) {
        state.withLock { ($0.limiter.limits, $0.limiter.bindingDimension) }
    }
}
