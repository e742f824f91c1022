/// The mutable heart of a running simulator: scenario, counters, the seeded random
/// source and the rate-limit buckets. Times are seconds since 1970, passed in.
actor SimState {
    /// What to do with one admitted-for-processing message request.
    enum Outcome: Sendable, Equatable {
        case success
        case error(SimAPIError)
        case hang
        case reset
        case malformed
        /// A body-level fault (``SimServer/hostileResponse(_:plan:model:maxTokens:fingerprint:userText:inputTokens:requestID:context:)``).
        case hostile(SimFault)
    }

    /// The decision for one message request.
    struct Plan: Sendable, Equatable {
        /// How many times this fingerprint was asked before (0 the first time).
        var occurrence: Int
        var outcome: Outcome
        var latencyMs: Int
    }

    private let configuration: SimConfiguration
    private(set) var scenario: SimScenario
    private var scenarioStart: Double
    private var stats = SimStats()
    private var random: SeededRandom
    private var limiter: RateLimiter
    private var successes = 0

    init(configuration: SimConfiguration, now: Double) {
        self.configuration = configuration
        self.scenario = configuration.scenario
        self.scenarioStart = now
        self.random = SeededRandom(seed: configuration.seed)
        self.limiter = RateLimiter(limits: configuration.scenario.rateLimits, now: now)
    }

    /// Model ids accepted and listed: the configured ones, then the scenario's.
    var models: [String] {
        var result = self.configuration.models
        for model in self.scenario.models ?? [] where !result.contains(model) {
            result.append(model)
        }
        for outage in self.scenario.outages ?? [] where outage.model != "*" && !result.contains(outage.model) {
            result.append(outage.model)
        }
        return result
    }

    /// Counts a `/v1/messages` request as received.
    func received() {
        self.stats.requests += 1
    }

    /// Records the answer given to a message request (`outcome` is the status code, or `hang`/`reset`).
    func answered(_ outcome: String, model: String?) {
        self.stats.record(outcome: outcome, model: model)
    }

    /// Decides the fate of a parsed message request and counts its fingerprint.
    func plan(model: String, fingerprint: String, userText: String, inputTokens: Int, now: Double) -> Plan {
        let occurrence = self.stats.byFingerprint[fingerprint, default: 0]
        self.stats.byFingerprint[fingerprint] = occurrence + 1

        // Draw on every request, so the random sequence depends only on the request order.
        let faultDraw = self.random.nextUnit()
        let latencyDraw = self.random.nextUnit()
        let latencyMs = self.configuration.latencyMs + self.scenarioLatency(draw: latencyDraw) + Self.triggerDelay(in: userText)

        if let fault = Self.trigger(in: userText) {
            return Plan(occurrence: occurrence, outcome: Self.outcome(for: fault), latencyMs: latencyMs)
        }
        if let cap = self.scenario.spendCapAfter, self.successes >= cap {
            return Plan(occurrence: occurrence, outcome: Self.outcome(for: .spendCap), latencyMs: latencyMs)
        }
        let elapsed = now - self.scenarioStart
        if let outage = self.scenario.outages?.first(where: { $0.applies(to: model, elapsed: elapsed) }),
            let fault = SimFault(rawValue: outage.kind)
        {
            return Plan(occurrence: occurrence, outcome: Self.outcome(for: fault), latencyMs: latencyMs)
        }
        var cumulative = 0.0
        for (kind, probability) in (self.scenario.errorRates ?? [:]).sorted(by: { $0.key < $1.key }) {
            cumulative += probability
            if faultDraw < cumulative, let fault = SimFault(rawValue: kind) {
                return Plan(occurrence: occurrence, outcome: Self.outcome(for: fault), latencyMs: latencyMs)
            }
        }
        switch self.limiter.admit(inputTokens: inputTokens, now: now) {
        case .admitted:
            return Plan(occurrence: occurrence, outcome: .success, latencyMs: latencyMs)
        case .limited(let retryAfter):
            let error = SimAPIError(
                status: 429,
                type: "rate_limit_error",
                message: "This request would exceed the rate limit for your organization. Please retry after \(retryAfter) seconds.",
                retryAfter: retryAfter
            )
            return Plan(occurrence: occurrence, outcome: .error(error), latencyMs: latencyMs)
        }
    }

    /// Records a successful answer: charges its output tokens and counts it.
    func succeeded(model: String, outputTokens: Int, admittedAt: Double, now: Double) {
        self.limiter.charge(outputTokens: outputTokens, now: now)
        self.successes += 1
        self.stats.acceptedPerSecond[String(Int(admittedAt.rounded(.down))), default: 0] += 1
        self.stats.record(outcome: "200", model: model)
    }

    /// Figures for the `anthropic-ratelimit-*` headers.
    func rateLimitSnapshots(now: Double) -> (
        requests: RateLimiter.Snapshot, inputTokens: RateLimiter.Snapshot,
        outputTokens: RateLimiter.Snapshot, tokens: RateLimiter.Snapshot
    ) {
        self.limiter.snapshots(now: now)
    }

    /// The current counters.
    func currentStats() -> SimStats {
        self.stats
    }

    /// Zeroes the counters.
    func resetStats() {
        self.stats = SimStats()
    }

    /// Replaces the scenario; outage windows and the spend cap count from `now`.
    func replaceScenario(_ scenario: SimScenario, now: Double) {
        self.scenario = scenario
        self.scenarioStart = now
        self.successes = 0
        self.limiter = RateLimiter(limits: scenario.rateLimits, now: now)
    }

    private func scenarioLatency(draw: Double) -> Int {
        guard let latency = self.scenario.latency else { return 0 }
        if let fixed = latency.fixedMs { return max(0, fixed) }
        let low = max(0, latency.minMs ?? 0)
        let high = max(low, latency.maxMs ?? low)
        return low + Int((draw * Double(high - low + 1)).rounded(.down)).clamped(to: 0...(high - low))
    }

    /// The fault named by a `[[sim:KIND]]` marker in the user's text, if any.
    static func trigger(in text: String) -> SimFault? {
        for token in triggers(in: text) {
            if let fault = SimFault(rawValue: token) { return fault }
        }
        return nil
    }

    /// The extra latency a `[[sim:delay_ms=N]]` trigger asks for (0 without one).
    static func triggerDelay(in text: String) -> Int {
        for token in triggers(in: text) where token.hasPrefix("delay_ms=") {
            if let value = Int(token.dropFirst("delay_ms=".count)), value >= 0 { return value }
        }
        return 0
    }

    /// The contents of every `[[sim:…]]` in `text`, in order.
    private static func triggers(in text: String) -> [String] {
        var tokens: [String] = []
        var rest = text[...]
        while let start = rest.range(of: "[[sim:"), let end = rest[start.upperBound...].range(of: "]]") {
            tokens.append(String(rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return tokens
    }

    static func outcome(for fault: SimFault) -> Outcome {
        switch fault {
        case .hang: return .hang
        case .reset: return .reset
        case .malformed: return .malformed
        case .endless, .notJSON, .wrongShape, .huge, .textPlain, .closeAfterHeaders, .trickle: return .hostile(fault)
        default: return SimAPIError.forFault(fault).map(Outcome.error) ?? .success
        }
    }
}

extension Comparable {
    fileprivate func clamped(to range: ClosedRange<Self>) -> Self {
        min(max(self, range.lowerBound), range.upperBound)
    }
}
