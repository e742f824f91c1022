import Logging
import Synchronization

/// The job's view of each model's health: one ``CircuitBreaker`` per model and the shared
/// ``RetryBudget``, behind a lock, with every breaker state change logged.
public final class ModelHealth: Sendable {
    private struct State {
        var breakers: [String: CircuitBreaker] = [:]
        var budget: RetryBudget
        /// Since when every model some record needed was open (nil while something could serve).
        var outageSince: Double?
    }

    private let state: Mutex<State>
    private let configuration: CircuitBreaker.Configuration
    private let breakersEnabled: Bool
    private let logger: Logger
    /// The time in seconds, from the job's clock.
    let now: @Sendable () -> Double

    public init(
        configuration: CircuitBreaker.Configuration, breakersEnabled: Bool, budget: RetryBudget,
        logger: Logger, now: @escaping @Sendable () -> Double
    ) {
        self.state = Mutex(State(budget: budget))
        self.configuration = configuration
        self.breakersEnabled = breakersEnabled
        self.logger = logger
        self.now = now
    }

    /// May a request go to `model` now?
    func acquire(_ model: String) -> CircuitBreaker.Permission {
        guard breakersEnabled else { return .allowed }
        let now = self.now()
        let (permission, transition) = state.withLock { state in
            state.breakers[model, default: CircuitBreaker(configuration: configuration)].acquire(now: now)
        }
        log(transition, model: model)
        return permission
    }

    /// Records an attempt's outcome: a success, a server failure, or neither (4xx, 429).
    func record(_ model: String, failure: RequestFailure?) {
        let now = self.now()
        let transition: CircuitBreaker.Transition? = state.withLock { state in
            if failure == nil {
                state.budget.deposit()
                state.outageSince = nil
            }
            guard breakersEnabled else { return nil }
            switch failure {
            case nil: return state.breakers[model, default: CircuitBreaker(configuration: configuration)].success(now: now)
            case let failure? where failure.isServerFailure:
                return state.breakers[model, default: CircuitBreaker(configuration: configuration)].failure(now: now)
            default:
                state.breakers[model]?.release()
                return nil
            }
        }
        log(transition, model: model)
    }

    /// Gives back a permission that was not used (the request was never sent).
    func release(_ model: String) {
        state.withLock { $0.breakers[model]?.release() }
    }

    /// Takes a retry's cost from the job-wide budget; false when it is spent.
    func withdrawRetry(for failure: RequestFailure) -> Bool {
        state.withLock { $0.budget.withdraw(for: failure) }
    }

    /// Notes that a record found every model it could use unavailable; returns how long that has lasted.
    func noteOutage() -> Double {
        let now = self.now()
        return state.withLock { state in
            let since = state.outageSince ?? now
            state.outageSince = since
            return now - since
        }
    }

    /// Each model's breaker state, for progress lines and the summary.
    public var breakerStates: [String: String] {
        let now = self.now()
        return state.withLock { state in
            state.breakers.mapValues { breaker in
                switch breaker.state {
                case .closed: "closed"
                case .halfOpen: "half-open"
                case .open(let until): until > now ? "open" : "half-open"
                }
            }
        }
    }

    /// Times any breaker opened.
    public var trips: Int { state.withLock { $0.breakers.values.reduce(0) { $0 + $1.trips } } }

    private func log(_ transition: CircuitBreaker.Transition?, model: String) {
        guard let transition else { return }
        logger.warning(
            "circuit breaker \(Self.name(transition.to))",
            metadata: [
                "breaker.model": "\(model)", "breaker.from": "\(Self.name(transition.from))",
                "breaker.to": "\(Self.name(transition.to))", "breaker.reason": "\(transition.reason)",
            ])
    }

    private static func name(_ state: CircuitBreaker.State) -> String {
        switch state {
        case .closed: "closed"
        case .halfOpen: "half-open"
        case .open: "open"
        }
    }
}
