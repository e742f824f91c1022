import Foundation

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
        /// A body-level fault (answered by `SimServer.hostileResponse`).
        case hostile(SimFault)
    }

    /// The decision for one message request.
    struct Plan: Sendable, Equatable {
        /// How many times this fingerprint was asked before (0 the first time).
        var occurrence: Int
        var outcome: Outcome
        var latencyMs: Int
        /// The prompt cache's reads and writes, for a request with breakpoints admitted to succeed.
        var cache: SimCacheLookup? = nil
    }

    private let configuration: SimConfiguration
    private(set) var scenario: SimScenario
    private var scenarioStart: Double
    private var stats = SimStats()
    private var random: SeededRandom
    /// One token-bucket set per model, as the API limits each model class separately.
    private var limiters: [String: SimRateLimiter] = [:]
    private var successes = 0
    private let promptCache: SimPromptCacheStore

    init(configuration: SimConfiguration, now: Double, promptCache: SimPromptCacheStore = SimPromptCacheStore()) {
        self.configuration = configuration
        self.promptCache = promptCache
        self.scenario = configuration.scenario
        self.scenarioStart = now
        self.random = SeededRandom(seed: configuration.seed)
    }

    /// The limits `model` is held to: its own from `model_rate_limits`, else `rate_limits`.
    private func limits(for model: String?) -> RateLimits? {
        model.flatMap { self.scenario.modelRateLimits?[$0] } ?? self.scenario.rateLimits
    }

    private func withLimiter<T>(_ model: String, now: Double, _ body: (inout SimRateLimiter) -> T) -> T {
        var limiter = self.limiters[model] ?? SimRateLimiter(limits: self.limits(for: model), now: now)
        defer { self.limiters[model] = limiter }
        return body(&limiter)
    }

    /// Model ids accepted and listed: the configured ones, then the scenario's.
    var models: [String] {
        var result = self.configuration.models
        for model in self.scenario.models ?? [] where !result.contains(model) {
            result.append(model)
        }
        let named =
            (self.scenario.outages ?? []).map(\.model) + (self.scenario.modelErrorRates ?? [:]).keys.sorted()
            + (self.scenario.modelRateLimits ?? [:]).keys.sorted()
        for model in named where model != "*" && !result.contains(model) {
            result.append(model)
        }
        return result
    }

    /// The model catalog: listed dated ids, aliases resolved.
    var catalog: SimModelCatalog { SimModelCatalog(names: self.models) }

    /// Counts a `/v1/messages` request as received.
    func received() {
        self.stats.requests += 1
    }

    /// Records the answer given to a message request.
    func answered(_ outcome: SimOutcome, model: String?) {
        self.stats.record(outcome: outcome, model: model)
    }

    /// Decides the fate of a parsed message request and counts its fingerprint. A request with
    /// breakpoints (`prompt`) that reaches admission is looked up in the prompt cache first, so the
    /// input-tokens bucket is charged with its uncached input and writes only (reads do not count
    /// toward ITPM, as the API documents).
    func plan(model: String, fingerprint: String, userText: String, inputTokens: Int, prompt: SimCachePrompt? = nil, now: Double) -> Plan {
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
        if let failAfter = self.scenario.failAfter, self.successes >= failAfter.successes,
            let fault = SimFault(rawValue: failAfter.kind)
        {
            return Plan(occurrence: occurrence, outcome: Self.outcome(for: fault), latencyMs: latencyMs)
        }
        let elapsed = now - self.scenarioStart
        if let outage = self.scenario.outages?.first(where: { $0.applies(to: model, elapsed: elapsed) }),
            faultDraw < (outage.rate ?? 1),
            let fault = SimFault(rawValue: outage.kind)
        {
            return Plan(occurrence: occurrence, outcome: Self.outcome(for: fault), latencyMs: latencyMs)
        }
        var cumulative = 0.0
        let rates = self.scenario.modelErrorRates?[model] ?? self.scenario.errorRates ?? [:]
        for (kind, probability) in rates.sorted(by: { $0.key < $1.key }) {
            cumulative += probability
            if faultDraw < cumulative, let fault = SimFault(rawValue: kind) {
                return Plan(occurrence: occurrence, outcome: Self.outcome(for: fault), latencyMs: latencyMs)
            }
        }
        let cache = prompt.map { self.promptCache.lookup($0, inputTokens: inputTokens, now: now) }
        let charged = cache?.rateLimitedInputTokens ?? inputTokens
        switch self.withLimiter(model, now: now, { $0.admit(inputTokens: charged, now: now) }) {
        case .admitted:
            return Plan(occurrence: occurrence, outcome: .success, latencyMs: latencyMs, cache: cache)
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

    /// Records a successful answer about to be sent: charges its output tokens, bills its `usage`
    /// under `model` (the name asked), makes the prompt-cache entries it wrote (`cache`) readable
    /// from `now`, and counts it.
    func succeeded(model: String, usage: SimMessage.Usage, cache: SimCacheLookup? = nil, admittedAt: Double, now: Double) {
        self.withLimiter(model, now: now) { $0.charge(outputTokens: usage.outputTokens, now: now) }
        if let cache { self.promptCache.commit(cache, now: now) }
        self.stats.billed[model, default: [:]][SimStats.messagesBackend, default: SimBilledTokens()].add(usage)
        self.successes += 1
        let second = String(Int(admittedAt.rounded(.down)))
        self.stats.acceptedPerSecond[second, default: 0] += 1
        self.stats.acceptedPerSecondByModel[model, default: [:]][second, default: 0] += 1
        self.stats.record(outcome: .status(200), model: model)
    }

    /// Figures for the `anthropic-ratelimit-*` headers.
    func rateLimitSnapshots(model: String?, now: Double) -> (
        requests: SimRateLimiter.Snapshot, inputTokens: SimRateLimiter.Snapshot,
        outputTokens: SimRateLimiter.Snapshot, tokens: SimRateLimiter.Snapshot
    ) {
        guard let model else { return SimRateLimiter(limits: self.scenario.rateLimits, now: now).snapshots(now: now) }
        return self.withLimiter(model, now: now) { $0.snapshots(now: now) }
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
        self.limiters = [:]
    }

    private func scenarioLatency(draw: Double) -> Int {
        guard let latency = self.scenario.latency else { return 0 }
        if let fixed = latency.fixedMs { return max(0, fixed) }
        if let median = latency.medianMs, median > 0 {
            // Log-normal through Box–Muller, with one more draw: σ puts the 99th percentile at p99_ms.
            let sigma = log(Double(max(median, latency.p99Ms ?? median)) / Double(median)) / 2.326
            let normal = (-2 * log(max(draw, 1e-12))).squareRoot() * cos(2 * Double.pi * self.random.nextUnit())
            return Int(Double(median) * exp(sigma * normal))
        }
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

    /// The contents of every `[[sim:…]]` in `text`, in order (searched in its UTF-8 bytes: every
    /// request's text is searched, and almost none holds a trigger).
    private static func triggers(in text: String) -> [String] {
        let open = Array("[[sim:".utf8)
        let bytes = Array(text.utf8)
        var tokens: [String] = []
        var index = 0
        while let start = find(open, in: bytes, from: index) {
            let contents = start + open.count
            guard let end = find([UInt8(ascii: "]"), UInt8(ascii: "]")], in: bytes, from: contents) else { break }
            tokens.append(String(decoding: bytes[contents..<end], as: UTF8.self))
            index = end + 2
        }
        return tokens
    }

    /// Where `needle` first occurs in `bytes` at or after `from` (by hand: the standard library's
    /// generic `firstRange(of:)` cost some 10 µs a request more, 5 interleaved runs each).
    private static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        var index = from
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0], bytes[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
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
