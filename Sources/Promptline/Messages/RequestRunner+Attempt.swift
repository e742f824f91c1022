extension RequestRunner {
    /// The attempt could not be sent: what that means for the record on this model.
    private struct Declined: Error {
        let outcome: ModelOutcome
    }

    /// One model's turn for a record: attempts (acquire → send → classify) until it is served,
    /// fails for good, or the model cannot serve it now.
    func attempt(_ record: RequestRecord, model: String, trail: inout Trail) async throws -> ModelOutcome {
        var policy = RetryPolicy(maxRetries: options.maxRetries, model: model)
        while true {
            if clock.now - trail.leaseRenewedAt > .seconds(store.leaseSeconds / 3) {
                try await store.renewLease(record.key)
                trail.leaseRenewedAt = clock.now
            }
            let remaining = trail.deadline - clock.now
            guard remaining > .zero else { return .waiting }
            let reservation: AttemptReservation
            do {
                reservation = try await acquire(record, model: model, trail: &trail)
            } catch let declined as Declined {
                return declined.outcome
            }
            trail.attempts += 1
            counters.update { $0.requestsSent += 1 }
            let sentAt = clock.now
            let outcome = await client.send(body: reservation.body, timeout: min(options.timeout, remaining))
            // A job stopping (SIGINT, SIGTERM) cancels requests in flight: that is no answer to store (the
            // reservation gives everything back as it ends).
            if Task.isCancelled { throw CancellationError() }
            switch outcome {
            case .success(let success):
                trail.heldSlot = reservation.answered(success)
                counters.update {
                    $0.inputTokens += success.inputTokens
                    $0.outputTokens += success.outputTokens
                    $0.cacheCreationInputTokens += success.cacheCreationInputTokens
                    $0.cacheReadInputTokens += success.cacheReadInputTokens
                    $0.tokensByModel[model, default: TokenCount()] += success.tokens
                    if let answering = success.answeringModel { $0.answeringModels[model, default: []].insert(answering) }
                    $0.latencySeconds[model, default: 0] += (clock.now - sentAt).seconds
                    $0.latencySamples[model, default: 0] += 1
                }
                return .served(success)
            case .failure(let failure):
                // The record's own deadline cut this attempt short: no verdict on the model.
                let deadlineCut = failure.kind == .timeout && remaining < options.timeout
                reservation.failed(failure, deadlineCut: deadlineCut)
                if let outcome = try await classify(
                    failure, deadlineCut: deadlineCut, record: record, model: model, policy: &policy, trail: &trail)
                {
                    return outcome
                }
            }
        }
    }

    /// Takes what an attempt needs, in order: the prompt cache's say (a request waiting for its
    /// prefix's primer holds no slot), a request slot (rate limits, concurrency window), then the
    /// model's health (a breaker that opened while the record queued for a slot still stops it),
    /// then the spend. Throws ``Declined`` when the attempt is not to be sent, a ``JobStop`` or
    /// `CancellationError` when the job stops; whatever was taken goes back with the reservation.
    private func acquire(_ record: RequestRecord, model: String, trail: inout Trail) async throws -> AttemptReservation {
        if health.isOpen(model) { throw Declined(outcome: .waiting) }
        var ticket = PromptCache.Ticket.plain
        if let prefix = trail.cachePrefix { ticket = try await promptCache.admit(prefix, model: model, stopGate: stopGate) }
        var reservation = AttemptReservation(
            model: model, body: record.body(for: model, marking: ticket.anchors, lifetime: promptCache.lifetime), ticket: ticket,
            runner: self)
        // The input-token limit is charged with what the cache will not serve.
        reservation.hold(
            try await throttle.acquire(
                model: model, bodyBytes: reservation.body.count - ticket.expectedReadBytes, maxTokens: record.maxTokens,
                stopGate: stopGate))
        // The job stopped while this attempt queued for a slot: send nothing new; the record stays pending.
        if stopGate.isStopped { throw CancellationError() }
        if let missing = missingModels.failure(for: model) {
            // The API said this model does not exist (perhaps while this record queued for a slot):
            // do not ask again, go down the chain.
            trail.errors.append(missing.errorType)
            trail.lastFailure = missing
            trail.unavailableModels.insert(model)
            throw Declined(outcome: .modelUnavailable)
        }
        switch health.admit(model) {
        case .open:
            throw Declined(outcome: .waiting)
        case .throttled:
            // The model accepts too small a share of requests: held back locally, as a transient failure
            // (down the chain, then wait and come back). The model's throttle counts it.
            throw Declined(outcome: .throttled)
        case .send:
            reservation.holdAdmission()
        }
        let cacheWrite = ticket.anchors.isEmpty ? nil : (lifetime: promptCache.lifetime, bytes: trail.cachePrefix?.levels.last?.bytes ?? 0)
        // A model without a price reserves nothing, unless a budget must be kept: then the job stops.
        guard
            let worstCase = spend.worstCase(
                model: model, bodyBytes: reservation.body.count, maxTokens: record.maxTokens, cacheWrite: cacheWrite)
                ?? (spend.budget == nil ? 0 : nil)
        else { throw JobStop(reason: .unpriced(model)) }
        guard spend.reserve(worstCase) else { throw JobStop(reason: .budget(spend.budget ?? 0)) }
        reservation.hold(reserved: worstCase)
        return reservation
    }

    /// What a failed attempt means: nil to try the same model again (after the retry's delay), or
    /// the record's outcome on this model.
    private func classify(
        _ failure: RequestFailure, deadlineCut: Bool, record: RequestRecord, model: String, policy: inout RetryPolicy,
        trail: inout Trail
    ) async throws -> ModelOutcome? {
        trail.errors.append(failure.errorType)
        if deadlineCut {
            // The record ends with the error that kept it failing until then (when there was one).
            if trail.lastFailure == nil { trail.lastFailure = failure }
            return .waiting
        }
        trail.lastFailure = failure
        if failure.status == 429 { counters.update { $0.rateLimited += 1 } }
        logger.debug(
            "attempt failed", metadata: ["request.key": "\(record.key)", "request.model": "\(model)", "request.error": "\(failure)"])
        if failure.isServerFailure {
            trail.consecutiveFailures[model, default: 0] += 1
            let run = trail.consecutiveFailures[model, default: 0]
            if health.isPoison(model: model, consecutiveFailures: run) {
                logger.warning(
                    "poison record: \(run) failures in a row on \(model) while it serves other records; the record ends errored",
                    metadata: ["request.key": "\(record.key)", "request.model": "\(model)"])
                counters.update { $0.poisonRecords += 1 }
                return .failed(failure)
            }
        }
        switch policy.event(failure, modelWait: health.wait(before: model)) {
        case .retry(let delay):
            // Retrying the same model is for a model that serves (the failure was bad luck); one that fails
            // for everyone sends the record down the chain at once, where the round's wait is the chain's shortest.
            if failure.status != 429 && health.condition(model) != .serving { return .waiting }
            // An empty retry budget does not burn the record: it moves down the chain and waits.
            if failure.status != 429 && !health.withdrawRetry(for: failure) { return .waiting }
            if clock.now + delay > trail.deadline { return .waiting }
            counters.update { $0.retries += 1 }
            try await sleep(for: delay)
            return nil
        case .fail:
            return .failed(failure)
        case .exhausted:
            if failure.isModelNotFound(model) {
                if missingModels.note(model, failure: failure) {
                    logger.warning(
                        "model \(model) not found (404 not_found_error: \(failure.message)); records go on down their chain (--fallback-model) or end errored",
                        metadata: ["model": "\(model)"])
                }
                trail.unavailableModels.insert(model)
                return .modelUnavailable
            }
            return .waiting
        case .stopJob(let reason):
            stopGate.stop()
            throw JobStop(reason: reason)
        }
    }
}
