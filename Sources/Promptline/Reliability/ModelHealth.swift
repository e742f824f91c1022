import Foundation
import Logging
import Synchronization

/// The job's view of each model's health, behind one lock: per model a ``CircuitBreaker`` (for
/// outages) and an ``AdaptiveThrottle`` (for brown-outs), the shared ``RetryBudget``, how long
/// no model has answered at all, and from these the wait before a record tries a model again
/// (``wait(before:)``). Every breaker state change is logged.
final class ModelHealth: Sendable {
    /// The answer to ``admit(_:)``.
    enum Admission: Sendable, Equatable {
        /// Send the request (`probe`: as one of a half-open breaker's probes).
        case send(probe: Bool)
        /// The model's breaker is open: nothing goes to it now.
        case open
        /// The model's adaptive throttle refused this attempt: wait a little and ask again.
        case throttled
    }

    private struct Model {
        var breaker: CircuitBreaker
        var throttle: AdaptiveThrottle
        /// Server failures in a row, the current run (a success ends it).
        var run = 0
        /// When the current run began (nil while the last answer was not a server failure).
        var runSince: JobClock.Instant?

        /// The failure share that explains a run: that of the window's answers before the current
        /// run, with a prior of ten answers at 50 % so that a model with no history yet (the start of
        /// a job) is not judged on its first few answers: a run of 5 opens the breaker after a
        /// hundred healthy answers, a run of 20 with no history.
        func baselineFailureShare(now: JobClock.Instant) -> Double {
            let (accepted, failed) = throttle.answers(now: now)
            let before = max(0, accepted + failed - run)
            return (Double(max(0, failed - run)) + 5) / (Double(before) + 10)
        }

        /// What the model is doing: the breaker's state first, then whether its current run of
        /// failures is one its failure share explains (the breaker's own test, so that with
        /// `--no-breaker` an outage is still told from a brown-out).
        func condition(now: JobClock.Instant, breakersEnabled: Bool) -> ModelCondition {
            if breakersEnabled {
                switch breaker.state {
                case .open(let until) where until > now: return .open(until: until)
                case .open, .halfOpen: return .probing
                case .closed: break
                }
            }
            guard let runSince, run >= breaker.consecutiveRunNeeded(baselineFailureShare: baselineFailureShare(now: now)) else {
                return .serving
            }
            return .failing(since: runSince)
        }
    }

    private struct State {
        var models: [String: Model] = [:]
        var budget: RetryBudget
        /// How long no model has answered successfully.
        var outage = OutageClock()

        /// Runs `body` on `model`'s entry in place (no copy of its windows), creating it first if needed.
        mutating func withModel<T>(_ model: String, fresh: () -> Model, _ body: (inout Model) -> T) -> T {
            if models[model] == nil { models[model] = fresh() }
            return body(&models[model]!)
        }
    }

    private let state: Mutex<State>
    private let configuration: CircuitBreaker.Configuration
    private let throttleConfiguration: AdaptiveThrottle.Configuration
    private let breakersEnabled: Bool
    private let logger: Logger
    private let random: @Sendable () -> Double
    private let retryWait: RetryWait
    /// A record whose consecutive failures on a model have odds below this under the model's
    /// failure share, while the model serves others, is a poison record.
    let poisonOdds: Double
    /// The fewest consecutive failures that can make a poison record.
    let poisonMinimumFailures: Int
    /// The job's clock.
    private let clock: JobClock

    init(
        configuration: CircuitBreaker.Configuration, breakersEnabled: Bool, budget: RetryBudget,
        throttle: AdaptiveThrottle.Configuration = .init(), retryWait: RetryWait = .init(), poisonOdds: Double = 1e-6,
        poisonMinimumFailures: Int = 10, logger: Logger, clock: JobClock,
        random: @escaping @Sendable () -> Double = { FastRandom.shared.next() }
    ) {
        self.state = Mutex(State(budget: budget))
        self.configuration = configuration
        self.throttleConfiguration = throttle
        self.retryWait = retryWait
        self.breakersEnabled = breakersEnabled
        self.poisonOdds = poisonOdds
        self.poisonMinimumFailures = poisonMinimumFailures
        self.logger = logger
        self.clock = clock
        self.random = random
    }

    private func fresh() -> Model {
        Model(breaker: CircuitBreaker(configuration: configuration), throttle: AdaptiveThrottle(configuration: throttleConfiguration))
    }

    /// May a request go to `model` now? The breaker answers first, then the adaptive throttle.
    func admit(_ model: String) -> Admission {
        let now = clock.now
        let draw = random()
        let (admission, transition) = state.withLock { state -> (Admission, CircuitBreaker.Transition?) in
            state.withModel(model, fresh: fresh) { entry in admit(&entry, draw: draw, now: now) }
        }
        log(transition, model: model)
        return admission
    }

    private func admit(_ entry: inout Model, draw: Double, now: JobClock.Instant) -> (Admission, CircuitBreaker.Transition?) {
        var probe = false
        var transition: CircuitBreaker.Transition?
        if breakersEnabled {
            let (permission, change) = entry.breaker.acquire(now: now)
            transition = change
            switch permission {
            case .allowed: break
            case .probe: probe = true
            case .rejected: return (.open, transition)
            }
        }
        // A probe is the breaker's question to the server: the throttle does not hold it back.
        let action = entry.throttle.event(.attempt(draw: probe ? 1 : draw), now: now)
        return (action == .refuse ? .throttled : .send(probe: probe), transition)
    }

    /// Is `model`'s breaker open now (a cheap look that takes no probe)?
    func isOpen(_ model: String) -> Bool {
        guard breakersEnabled else { return false }
        let now = clock.now
        return state.withLock { state in
            if case .open(let until)? = state.models[model]?.breaker.state { return until > now }
            return false
        }
    }

    /// What `model` is doing now, for the wait before a record tries it again.
    func condition(_ model: String) -> ModelCondition {
        condition(model, now: clock.now)
    }

    private func condition(_ model: String, now: JobClock.Instant) -> ModelCondition {
        state.withLock { state in state.models[model]?.condition(now: now, breakersEnabled: breakersEnabled) ?? .serving }
    }

    /// How long a record waits before it tries `model` again when the server named no wait: set by
    /// what the model is doing (``RetryWait``), the same for a record that failed once or five times.
    func wait(before model: String) -> Duration {
        let now = clock.now
        return retryWait.delay(condition(model, now: now), now: now, draw: random())
    }

    /// Records an attempt's outcome: a success, a server failure, or neither (4xx, 429).
    func record(_ model: String, failure: RequestFailure?) {
        let now = clock.now
        let transition: CircuitBreaker.Transition? = state.withLock { state in
            if failure == nil {
                state.budget.deposit(now: now)
                state.outage.succeeded()
            }
            return state.withModel(model, fresh: fresh) { entry in record(&entry, failure: failure, now: now) }
        }
        log(transition, model: model)
    }

    private func record(_ entry: inout Model, failure: RequestFailure?, now: JobClock.Instant) -> CircuitBreaker.Transition? {
        switch failure {
        case nil:
            entry.run = 0
            entry.runSince = nil
            _ = entry.throttle.event(.accepted, now: now)
            return breakersEnabled ? entry.breaker.success(now: now) : nil
        case let failure? where failure.isServerFailure:
            _ = entry.throttle.event(.failed, now: now)
            entry.run += 1
            if entry.runSince == nil { entry.runSince = now }
            let share = entry.baselineFailureShare(now: now)
            return breakersEnabled ? entry.breaker.failure(now: now, baselineFailureShare: share) : nil
        case let failure?:
            // The server did its job (a 4xx); a 429 belongs to the rate limiter: neither counts here.
            if failure.status != 429 { _ = entry.throttle.event(.accepted, now: now) }
            entry.breaker.release()
            return nil
        }
    }

    /// Gives back a permission that was not used (the request was never sent or was cancelled).
    func release(_ model: String) {
        state.withLock { $0.models[model]?.breaker.release() }
    }

    /// Takes a retry's cost from the job-wide budget; false when it is spent (the record then
    /// moves down the chain or waits; it is never burnt for it).
    func withdrawRetry(for failure: RequestFailure) -> Bool {
        let now = clock.now
        return state.withLock { $0.budget.withdraw(for: failure, now: now) }
    }

    /// Is a record that failed `consecutiveFailures` times in a row on `model` a poison record?
    /// Yes when the model serves others (it accepted some of its recent requests) and a run that
    /// long has odds below ``poisonOdds`` under the model's recent failure share.
    func isPoison(model: String, consecutiveFailures: Int) -> Bool {
        guard consecutiveFailures >= poisonMinimumFailures else { return false }
        let now = clock.now
        guard let accepted = state.withLock({ $0.models[model]?.throttle.acceptShare(now: now) }), accepted > 0 else {
            return false
        }
        return pow(1 - accepted, Double(consecutiveFailures)) < poisonOdds
    }

    /// Notes that a record found nothing that could serve it; returns how long no model has answered.
    func noteOutage() -> Duration {
        let now = clock.now
        return .seconds(state.withLock { $0.outage.failed(at: now.seconds) })
    }

    /// Each model's breaker state, for progress lines and the summary.
    var breakerStates: [String: CircuitBreaker.Phase] {
        let now = clock.now
        return state.withLock { state in
            state.models.mapValues { entry in
                switch entry.breaker.state {
                case .closed: .closed
                case .halfOpen: .halfOpen
                case .open(let until): until > now ? .open : .halfOpen
                }
            }
        }
    }

    /// Each model's share of answered requests that succeeded over the throttle's window (the last minute).
    var successShares: [String: Double] {
        let now = clock.now
        return state.withLock { state in state.models.compactMapValues { $0.throttle.acceptShare(now: now) } }
    }

    /// Attempts the adaptive throttles refused (they waited and tried again).
    var throttledSends: Int { state.withLock { $0.models.values.reduce(0) { $0 + $1.throttle.refused } } }

    /// Times any breaker opened.
    var trips: Int { state.withLock { $0.models.values.reduce(0) { $0 + $1.breaker.trips } } }

    private func log(_ transition: CircuitBreaker.Transition?, model: String) {
        guard let transition else { return }
        logger.warning(
            "circuit breaker \(Self.name(transition.to))",
            metadata: [
                "breaker.model": "\(model)", "breaker.from": "\(Self.name(transition.from))",
                "breaker.to": "\(Self.name(transition.to))", "breaker.reason": "\(transition.reason)",
            ])
    }

    private static func name(_ state: CircuitBreaker.State) -> CircuitBreaker.Phase {
        switch state {
        case .closed: .closed
        case .halfOpen: .halfOpen
        case .open: .open
        }
    }
}
