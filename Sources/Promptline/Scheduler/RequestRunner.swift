import Logging

/// Takes one record from claim to committed answer: the single place where an attempt is decided
/// and its outcome classified and acted on.
///
/// The degradation chain, per record: the primary model, then each fallback model (taken when a
/// model's breaker is open or its retries are spent), then a stale answer (`--allow-stale`), then
/// the static response (`--static-response`), then `errored`. When the chain ends only because
/// breakers are open, the record waits for a breaker to half-open instead of being burnt as
/// errored, up to `--max-outage` job-wide.
struct RequestRunner: Sendable {
    let client: MessagesClient
    let store: Store
    let options: JobOptions
    let counters: JobCounters
    let health: ModelHealth
    let spend: SpendMeter
    let throttle: Throttle
    let clock: any Clock<Duration>
    let logger: Logger
    /// Raised on a job-wide stop or a signal: waits end at once and nothing new is sent.
    var stopGate = StopGate()

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
                try await sleep(0.25)
            case .claimed(let interrupted):
                if interrupted { counters.update { $0.interrupted += 1 } }
                counters.update { $0.inFlight += 1 }
                defer { counters.update { $0.inFlight -= 1 } }
                let answer = try await answer(record, messagesKey: messagesKey)
                return try await store.complete(record.key, answer: answer)
            }
        }
    }

    /// Walks the degradation chain until something serves the record or it ends errored.
    private func answer(_ record: RequestRecord, messagesKey: String) async throws -> StoredAnswer {
        var trail = Trail(deadline: health.now() + options.recordTimeout, leaseRenewedAt: health.now())
        let chain = [record.model] + options.fallbackModels.filter { $0 != record.model }
        while true {
            var blocked = false
            for (index, model) in chain.enumerated() {
                switch try await attempt(record, model: model, trail: &trail) {
                case .served(let answer):
                    return StoredAnswer(
                        state: .succeeded, result: OutputLine.succeededResult(message: answer.message),
                        servedBy: trail.servedBy(model: model, tier: index == 0 ? "primary" : "fallback"),
                        tier: index == 0 ? "primary" : "fallback", model: model, errorType: nil,
                        inputTokens: answer.inputTokens, outputTokens: answer.outputTokens, attempts: trail.attempts)
                case .failed(let failure):
                    return errored(failure, trail: trail)
                case .blocked:
                    blocked = true
                case .exhausted:
                    break
                }
            }
            if options.allowStale, let stale = try await store.staleAnswer(messagesKey: messagesKey, excluding: record.key) {
                return StoredAnswer(
                    state: .degraded, result: stale.result, servedBy: trail.servedBy(model: stale.model, tier: "stale"),
                    tier: "stale", model: stale.model, errorType: nil, inputTokens: 0, outputTokens: 0, attempts: trail.attempts)
            }
            if let text = options.staticResponse {
                return StoredAnswer(
                    state: .degraded, result: OutputLine.succeededResult(message: OutputLine.staticMessage(text)),
                    servedBy: trail.servedBy(model: nil, tier: "static"), tier: "static", model: nil, errorType: nil,
                    inputTokens: 0, outputTokens: 0, attempts: trail.attempts)
            }
            guard blocked else {
                return errored(trail.lastFailure ?? RequestFailure(kind: .connection, errorType: "unavailable", message: "no model could serve"), trail: trail)
            }
            // Every model this record can use is behind an open breaker: wait, do not burn it.
            if health.now() >= trail.deadline {
                return errored(trail.lastFailure ?? RequestFailure(kind: .timeout, errorType: "timeout_error", message: "the record's deadline passed while every model was unavailable"), trail: trail)
            }
            let waited = health.noteOutage()
            if waited >= options.maxOutage { throw JobStop(reason: .outage(seconds: options.maxOutage)) }
            try await sleep(min(0.5, options.maxOutage - waited))
        }
    }

    /// What became of one record on one model.
    private enum ModelOutcome {
        case served(MessagesClient.Success)
        /// The request itself is at fault: no other model is tried.
        case failed(RequestFailure)
        /// The breaker refused the request.
        case blocked
        /// Retries (or the job's retry budget) are spent.
        case exhausted
    }

    /// The error types met and attempts made for one record, over every model.
    private struct Trail {
        /// When the record's time is up (seconds on the job's clock).
        let deadline: Double
        /// When the key's lease was last taken or renewed (job clock).
        var leaseRenewedAt: Double
        var attempts = 0
        var errors: [String] = []
        var lastFailure: RequestFailure?

        func servedBy(model: String?, tier: String) -> [UInt8] {
            OutputLine.servedBy(model: model, tier: tier, attempts: attempts, errors: errors)
        }
    }

    private func attempt(_ record: RequestRecord, model: String, trail: inout Trail) async throws -> ModelOutcome {
        var policy = RetryPolicy(maxRetries: options.maxRetries)
        let body = record.body(for: model)
        while true {
            if health.now() - trail.leaseRenewedAt > store.leaseSeconds / 3 {
                try await store.renewLease(record.key)
                trail.leaseRenewedAt = health.now()
            }
            let remaining = trail.deadline - health.now()
            guard remaining > 0 else { return .exhausted }
            if case .rejected = health.acquire(model) { return .blocked }
            let worstCase = spend.worstCase(model: model, bodyBytes: body.count, maxTokens: record.maxTokens)
            guard spend.reserve(worstCase) else {
                health.release(model)
                throw JobStop(reason: .budget(spend.budget ?? 0))
            }
            let reservation: RateLimiter.Reservation
            do {
                reservation = try await stopGate.guarding { [throttle] in
                    try await throttle.acquire(bodyBytes: body.count, maxTokens: record.maxTokens)
                }
            } catch {
                spend.release(worstCase)
                health.release(model)
                throw error
            }
            if stopGate.isStopped {
                // The job stopped while this attempt waited: send nothing new.
                spend.release(worstCase)
                health.release(model)
                throw CancellationError()
            }
            trail.attempts += 1
            counters.update { $0.requestsSent += 1 }
            switch await client.send(body: body, timeout: min(options.timeout, remaining)) {
            case .success(let success):
                throttle.answered(
                    reservation, headers: success.rateLimit, inputTokens: success.inputTokens,
                    outputTokens: success.outputTokens, inFlight: counters.inFlight)
                health.record(model, failure: nil)
                counters.update {
                    $0.inputTokens += success.inputTokens
                    $0.outputTokens += success.outputTokens
                    $0.tokensByModel[model, default: TokenCount()].input += success.inputTokens
                    $0.tokensByModel[model, default: TokenCount()].output += success.outputTokens
                }
                spend.settle(reserved: worstCase, model: model, inputTokens: success.inputTokens, outputTokens: success.outputTokens)
                return .served(success)
            case .failure(let failure):
                spend.release(worstCase)
                throttle.failed(reservation, failure: failure)
                // A job stopping (SIGINT, SIGTERM) cancels requests in flight: that is no answer to store,
                // and no outcome for the breaker: its permit (perhaps a half-open probe slot) goes back.
                if Task.isCancelled {
                    health.release(model)
                    throw CancellationError()
                }
                health.record(model, failure: failure)
                trail.errors.append(failure.errorType)
                trail.lastFailure = failure
                if failure.status == 429 { counters.update { $0.rateLimited += 1 } }
                logger.debug(
                    "attempt failed",
                    metadata: ["request.key": "\(record.key)", "request.model": "\(model)", "request.error": "\(failure)"])
                switch policy.event(failure) {
                case .retry(let delay):
                    if failure.status != 429 && !health.withdrawRetry(for: failure) { return .exhausted }
                    if health.now() + delay > trail.deadline { return .exhausted }
                    counters.update { $0.retries += 1 }
                    try await sleep(delay)
                case .fail:
                    return .failed(failure)
                case .exhausted:
                    return .exhausted
                case .stopJob(let reason):
                    throw JobStop(reason: reason)
                }
            }
        }
    }

    private func errored(_ failure: RequestFailure, trail: Trail) -> StoredAnswer {
        StoredAnswer(
            state: .errored, result: OutputLine.erroredResult(failure), servedBy: trail.servedBy(model: nil, tier: "none"),
            tier: "none", model: nil, errorType: failure.errorType, inputTokens: 0, outputTokens: 0, attempts: trail.attempts)
    }

    /// Waits `seconds`, unless the job stops first (then throws `CancellationError`).
    private func sleep(_ seconds: Double) async throws {
        try await stopGate.guarding { [clock] in try await clock.sleep(for: .milliseconds(Int64(max(0, seconds) * 1000))) }
    }
}
