import Foundation

/// A circuit breaker for one model: a pure state machine driven by the caller's clock.
///
/// The breaker is for outages, not for partial failure (a brown-out is the ``AdaptiveThrottle``'s
/// business). Closed, it lets every request through and watches the outcomes of the last
/// `windowSize` calls: it opens when at least `minimumCalls` were seen and the failure rate reaches
/// `failureRateThreshold` (90 % by default: near total), or after a run of consecutive failures
/// that the model's recent failure share does not explain: the run needed is the shortest whose
/// odds under that share are below `unexplainedRunOdds` (at least `consecutiveFailures`, at most
/// `maxConsecutiveFailures`) — 5 for a healthy model, 14 at a 35 % error share, 28 at 60 %,
/// so even hours of a brown-out at 100 calls a second almost never show such a run by chance.
/// Open, it rejects everything until its break ends; then it is half-open and admits
/// `halfOpenProbes` probe requests. A probe's success closes it; a probe's failure reopens it with
/// a break twice as long as the last (capped at `maxBreak`, jittered). Only server failures are
/// recorded as failures (5xx, 529, timeouts, connection errors, malformed bodies); 4xx, 429
/// included, are the caller's to leave out.
public struct CircuitBreaker: Sendable {
    /// Tuning, with defaults that suit a batch job.
    public struct Configuration: Sendable, Equatable {
        /// The calls whose outcomes the failure rate is taken over.
        public var windowSize = 50
        /// Calls seen before the failure rate can open the breaker.
        public var minimumCalls = 20
        /// The failure rate over the window that opens the breaker.
        public var failureRateThreshold = 0.9
        /// The shortest run of consecutive failures that opens the breaker (a healthy model's).
        public var consecutiveFailures = 5
        /// The longest run ever needed, whatever the model's error share.
        var maxConsecutiveFailures = 30
        /// A run of failures this unlikely under the model's recent failure share is an outage.
        var unexplainedRunOdds = 1e-6
        /// The first break, seconds.
        public var baseBreak = 2.0
        /// The longest break, seconds.
        public var maxBreak = 30.0
        /// Probe requests a half-open breaker lets through.
        public var halfOpenProbes = 2
        /// Up to this fraction is added at random to each break.
        var jitter = 0.2

        /// The defaults.
        public init() {}
    }

    /// Where the breaker stands.
    enum State: Sendable, Equatable {
        case closed
        case open(until: JobClock.Instant)
        case halfOpen
    }

    /// A breaker's state as progress lines name it, without the break's end; spelled as its raw value.
    enum Phase: String, Sendable, CustomStringConvertible {
        case closed
        case open
        case halfOpen = "half-open"

        var description: String { rawValue }
    }

    /// The answer to ``acquire(now:)``.
    enum Permission: Sendable, Equatable {
        /// Send the request.
        case allowed
        /// Send it as one of the half-open probes.
        case probe
        /// Do not send: the breaker is open (until the given time) or its probes are all out.
        case rejected(retryAt: JobClock.Instant?)
    }

    /// A state change, for the log.
    struct Transition: Sendable, Equatable {
        var from: State
        var to: State
        var reason: String
    }

    let configuration: Configuration
    private let random: @Sendable () -> Double
    private(set) var state: State = .closed
    private var outcomes: [Bool] = []  // true = failure, the last `windowSize` calls
    private var consecutive = 0
    private var probesOut = 0
    /// The last break's length, seconds.
    private var lastBreak: Double?
    /// Times the breaker opened.
    private(set) var trips = 0

    init(configuration: Configuration = .init(), random: @escaping @Sendable () -> Double = { FastRandom.shared.next() }) {
        self.configuration = configuration
        self.random = random
    }

    /// Asks to send one request at `now`; may move an open breaker whose break is over to half-open.
    mutating func acquire(now: JobClock.Instant) -> (Permission, Transition?) {
        var transition: Transition?
        if case .open(let until) = state {
            guard now >= until else { return (.rejected(retryAt: until), nil) }
            transition = Transition(from: state, to: .halfOpen, reason: "break over; probing")
            state = .halfOpen
            probesOut = 0
        }
        switch state {
        case .closed:
            return (.allowed, transition)
        case .halfOpen:
            guard probesOut < configuration.halfOpenProbes else { return (.rejected(retryAt: nil), transition) }
            probesOut += 1
            return (.probe, transition)
        case .open:
            preconditionFailure("handled above")
        }
    }

    /// Records a successful call.
    mutating func success(now: JobClock.Instant) -> Transition? {
        consecutive = 0
        switch state {
        case .halfOpen:
            let from = state
            state = .closed
            outcomes.removeAll()
            lastBreak = nil
            return Transition(from: from, to: .closed, reason: "probe succeeded")
        case .closed:
            note(failure: false)
            return nil
        case .open:
            return nil  // a late answer from before the break
        }
    }

    /// Records a server failure; `baselineFailureShare` is the model's recent share of server
    /// failures (0 when unknown), which sets how long a run of failures must be to open the breaker.
    mutating func failure(now: JobClock.Instant, baselineFailureShare: Double = 0) -> Transition? {
        consecutive += 1
        switch state {
        case .halfOpen:
            return open(now: now, reason: "probe failed")
        case .closed:
            note(failure: true)
            if consecutive >= consecutiveRunNeeded(baselineFailureShare: baselineFailureShare) {
                return open(now: now, reason: "\(consecutive) consecutive failures")
            }
            let failures = outcomes.filter { $0 }.count
            if outcomes.count >= configuration.minimumCalls,
                Double(failures) / Double(outcomes.count) >= configuration.failureRateThreshold
            {
                return open(now: now, reason: "failure rate \(failures)/\(outcomes.count) over the window")
            }
            return nil
        case .open:
            return nil
        }
    }

    /// The run of consecutive failures that opens the breaker when the model recently failed
    /// `baselineFailureShare` of its calls.
    func consecutiveRunNeeded(baselineFailureShare share: Double) -> Int {
        let floor = configuration.consecutiveFailures
        let ceiling = max(floor, configuration.maxConsecutiveFailures)
        guard share > 0 else { return floor }
        guard share < 1 else { return ceiling }
        let run = (log(configuration.unexplainedRunOdds) / log(share)).rounded(.up)
        return min(ceiling, max(floor, Int(run)))
    }

    /// Gives back a probe that ended without an outcome the breaker counts (a 4xx, a cancellation).
    mutating func release() {
        if case .halfOpen = state, probesOut > 0 { probesOut -= 1 }
    }

    private mutating func note(failure: Bool) {
        outcomes.append(failure)
        if outcomes.count > configuration.windowSize { outcomes.removeFirst(outcomes.count - configuration.windowSize) }
    }

    private mutating func open(now: JobClock.Instant, reason: String) -> Transition {
        let base = lastBreak.map { min($0 * 2, configuration.maxBreak) } ?? configuration.baseBreak
        lastBreak = base
        let length = min(base * (1 + configuration.jitter * random()), configuration.maxBreak * (1 + configuration.jitter))
        let from = state
        state = .open(until: now + .seconds(length))
        outcomes.removeAll()
        consecutive = 0
        trips += 1
        return Transition(from: from, to: state, reason: reason)
    }
}
