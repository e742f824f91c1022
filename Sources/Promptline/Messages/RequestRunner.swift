import Logging

/// Takes one record from claim to committed answer: the single place where an attempt is decided
/// and its outcome classified and acted on.
///
/// The degradation chain, per record: the primary model, then each fallback model (taken when a
/// model's breaker is open, its `--max-retries` are spent or the job's retry budget is empty, or
/// the API says the model does not exist), then a stale answer (`--allow-stale`), then the static
/// response (`--static-response`). When nothing in the chain served it and the failures were
/// transient (429, 5xx, 529, timeouts, connection errors, open breakers), the record is not burnt:
/// it waits and goes round the chain again, until its `--record-timeout`. Every wait, between
/// attempts and between rounds, is set by what the models are doing (``ModelHealth/wait(before:)``),
/// not by how many times this record failed: a record unlucky under a brown-out goes back in line
/// at once, so the job's last record is not much later than its median one. Only a
/// request's own fault (400, 413, a 404 not about the model), the record deadline, or a poison
/// record (one failing far more often in a row than its model's error share explains while that
/// model serves others) make it `errored`. No success from any model for `--max-outage` stops
/// the job (exit 75).
final class RequestRunner: Sendable {
    let client: any MessagesTransport
    let store: Store
    let options: JobOptions
    let counters: JobCounters
    let health: ModelHealth
    let spend: SpendMeter
    let throttle: Throttle
    /// Automatic prompt caching: breakpoints on shared prefixes, primed before they are read.
    let promptCache: PromptCache
    /// The job's clock: record deadlines, lease renewals and every wait.
    let clock: JobClock
    let logger: Logger
    let random: @Sendable () -> Double
    /// Models found unknown or retired (404) in this job.
    let missingModels = MissingModels()
    /// Raised on a job-wide stop or a signal: waits end at once and nothing new is sent.
    let stopGate: StopGate
    /// JSON requests in flight by key (a raised request may repeat another record's key).
    let jsonKeys = KeyExclusion()

    /// A class, not a struct: every request task holds the runner, and a reference is one retain
    /// where a copy of its fields (the job's options among them) would be a dozen.
    init(
        client: any MessagesTransport, store: Store, options: JobOptions, counters: JobCounters, health: ModelHealth,
        spend: SpendMeter, throttle: Throttle, promptCache: PromptCache, clock: JobClock, logger: Logger,
        random: @escaping @Sendable () -> Double = { FastRandom.shared.next() }, stopGate: StopGate = StopGate()
    ) {
        self.client = client
        self.store = store
        self.options = options
        self.counters = counters
        self.health = health
        self.spend = spend
        self.throttle = throttle
        self.promptCache = promptCache
        self.clock = clock
        self.logger = logger
        self.random = random
        self.stopGate = stopGate
        // A stop ends every wait for a request slot at once, through the throttle itself, so an
        // acquisition needs no task group of its own to be cancelled.
        stopGate.onStop { [throttle] in throttle.stop() }
    }

    /// The committed answer for `record`, sending it only if no answer is stored and no other
    /// live process holds it.
    func run(_ record: RequestRecord) async throws -> StoredAnswer {
        let messagesKey = record.messagesKey
        while true {
            switch try await store.claim(record.key, model: record.model, messagesKey: messagesKey, retryErrored: options.retryErrored) {
            case .done(let answer):
                return answer
            case .leased:
                // Another live process is sending this key: wait for its answer instead of paying twice.
                try await sleep(for: .milliseconds(250))
            case .claimed(let interrupted):
                if interrupted { counters.update { $0.interrupted += 1 } }
                let now = clock.now
                var trail = Trail(deadline: now + options.recordTimeout, leaseRenewedAt: now)
                // Counted when claimed, before it is sent: the records behind it in the input make a prefix recur.
                trail.cachePrefix = promptCache.prefix(of: record)
                if let prefix = trail.cachePrefix { promptCache.note(prefix) }
                let answer = try await answer(record, messagesKey: messagesKey, trail: &trail)
                // The answered request keeps its slot until its answer is committed: at most --concurrency
                // requests are ever sent and not yet safe in the store (what a kill -9 can make a resume resend).
                defer { if let slot = trail.heldSlot { throttle.release(slot) } }
                return try await store.complete(record.key, answer: answer)
            }
        }
    }

    /// Walks the degradation chain, round after round, until something serves the record or it ends errored.
    private func answer(_ record: RequestRecord, messagesKey: String, trail: inout Trail) async throws -> StoredAnswer {
        var chain = [record.model] + options.fallbackModels.filter { $0 != record.model }
        while true {
            var transient = false
            // A round whose only trouble was the adaptive throttle holding attempts back pauses briefly:
            // the model is serving, just at a smaller share.
            var onlyThrottled = true
            for (index, model) in chain.enumerated() {
                switch try await attempt(record, model: model, trail: &trail) {
                case .served(let answer):
                    // served_by.model is the model asked for (an alias stays an alias), so the output does
                    // not change with a snapshot; the dated id that answered is in the message and the summary.
                    return trail.served(answer, model: model, tier: index == 0 && model == record.model ? .primary : .fallback)
                case .failed(let failure):
                    return trail.errored(failure)
                case .modelUnavailable:
                    break
                case .waiting:
                    transient = true
                    onlyThrottled = false
                case .throttled:
                    transient = true
                }
            }
            // A model the API does not know is never asked again for this record.
            chain.removeAll { trail.unavailableModels.contains($0) }
            if options.allowStale, let stale = try await store.staleAnswer(messagesKey: messagesKey, excluding: record.key) {
                return trail.degraded(result: stale.result, model: stale.model, tier: .stale)
            }
            if let text = options.staticResponse {
                return trail.degraded(
                    result: OutputLine.succeededResult(message: OutputLine.staticMessage(text)), model: nil, tier: .static)
            }
            guard transient, !chain.isEmpty else {
                return trail.errored(
                    trail.lastFailure ?? RequestFailure(kind: .connection, errorType: "unavailable", message: "no model could serve"))
            }
            // Every model this record can use failed transiently or is behind an open breaker: wait, do not burn it.
            if clock.now >= trail.deadline {
                return trail.errored(
                    trail.lastFailure
                        ?? RequestFailure(
                            kind: .timeout, errorType: "timeout_error",
                            message: "the record's deadline passed while every model was unavailable"))
            }
            let waited = health.noteOutage()
            if waited >= options.maxOutage { throw JobStop(reason: .outage(after: options.maxOutage)) }
            // Otherwise until the first model of the chain may serve it: at once for a model that serves (the
            // record was unlucky), to the end of its break for an open breaker, longer as an outage lasts.
            let pause = onlyThrottled ? Duration.seconds(0.25 * (0.5 + random())) : chain.map { health.wait(before: $0) }.min() ?? .zero
            counters.update { $0.waiting += 1 }
            defer { counters.update { $0.waiting -= 1 } }
            try await sleep(for: min(pause, options.maxOutage - waited, trail.deadline - clock.now))
        }
    }

    /// What became of one record on one model.
    enum ModelOutcome {
        case served(MessagesClient.Success)
        /// The request itself is at fault (or is a poison record): no other model is tried.
        case failed(RequestFailure)
        /// The API does not know the model (404 naming it): go down the chain, never come back.
        case modelUnavailable
        /// Transient trouble (retries or the retry budget spent, the breaker open, the deadline
        /// near): go down the chain, and wait and come back if nothing serves.
        case waiting
        /// The model's adaptive throttle held the attempt back: go down the chain, then come back soon.
        case throttled
    }

    /// The error types met and attempts made for one record, over every model.
    struct Trail {
        /// When the record's time is up.
        let deadline: JobClock.Instant
        /// When the key's lease was last taken or renewed.
        var leaseRenewedAt: JobClock.Instant
        var attempts = 0
        var errors: [String] = []
        var lastFailure: RequestFailure?
        /// Server failures in a row, per model (a success ends the record, so they never reset).
        var consecutiveFailures: [String: Int] = [:]
        var unavailableModels: Set<String> = []
        /// The request slot of the answered attempt, given back once the answer is committed.
        var heldSlot: Throttle.Permit?
        /// The prefix promptline may mark with cache breakpoints (nil: sent as written).
        var cachePrefix: CachePrefix?

        func servedBy(model: String?, tier: ServedTier) -> [UInt8] {
            OutputLine.servedBy(model: model, tier: tier, attempts: attempts, errors: errors)
        }

        // The record's final answer, one builder per way it can end (with this trail's attempts and errors).

        /// A model's answer, from the primary or a fallback.
        func served(_ answer: MessagesClient.Success, model: String, tier: ServedTier) -> StoredAnswer {
            var stored = StoredAnswer(
                state: .succeeded, result: OutputLine.succeededResult(message: answer.message),
                servedBy: servedBy(model: model, tier: tier), tier: tier, model: model, errorType: nil,
                inputTokens: answer.inputTokens, outputTokens: answer.outputTokens, attempts: attempts)
            stored.cacheCreationTokens = answer.tokens.cacheCreation
            stored.cacheCreation1hTokens = answer.tokens.cacheCreation1h
            stored.cacheReadTokens = answer.tokens.cacheRead
            stored.stopReason = answer.stopReason
            return stored
        }

        /// A stale or static answer: written as succeeded, tried again with `--retry-errored`.
        func degraded(result: [UInt8], model: String?, tier: ServedTier) -> StoredAnswer {
            StoredAnswer(
                state: .degraded, result: result, servedBy: servedBy(model: model, tier: tier), tier: tier, model: model,
                errorType: nil, inputTokens: 0, outputTokens: 0, attempts: attempts)
        }

        /// No tier served it.
        func errored(_ failure: RequestFailure) -> StoredAnswer {
            StoredAnswer(
                state: .errored, result: OutputLine.erroredResult(failure), servedBy: servedBy(model: nil, tier: .none),
                tier: .none, model: nil, errorType: failure.errorType, inputTokens: 0, outputTokens: 0,
                attempts: attempts)
        }
    }

    /// Waits `duration` (none when it is not positive), unless the job stops first (then throws `CancellationError`).
    func sleep(for duration: Duration) async throws {
        try await stopGate.guarding { [clock] in try await clock.sleep(for: max(.zero, duration)) }
    }
}
