import Foundation

extension BatchRunner {
    /// The watch of a deadline job (nil without `--deadline`): its plan, from the Messages capacity
    /// known of each model (`--rpm/--itpm`, else what earlier jobs remembered of it, the latency
    /// they saw), and whether an earlier run already switched to Messages.
    func deadlineWatch(start: Double) async throws -> DeadlineWatch? {
        guard let deadline = options.deadline else { return nil }
        let given = MessagesCapacity.Model(
            requestsPerMinute: options.requestsPerMinute, inputTokensPerMinute: options.inputTokensPerMinute,
            latency: MessagesCapacity.defaultLatency)
        var models: [String: MessagesCapacity.Model] = [:]
        for (model, memory) in try await store.memories() {
            models[model] = MessagesCapacity.Model(
                requestsPerMinute: options.requestsPerMinute ?? memory.requestsPerMinute,
                inputTokensPerMinute: options.inputTokensPerMinute ?? memory.inputTokensPerMinute,
                latency: memory.latency ?? MessagesCapacity.defaultLatency)
        }
        let capacity = MessagesCapacity(
            models: models, unknown: given, defaultModel: options.defaults.model, concurrency: options.concurrency)
        let plan = DeadlinePlan(
            start: start, deadline: deadline.date.timeIntervalSince1970, capacity: capacity, pollInterval: batch.pollInterval.seconds)
        return DeadlineWatch(deadline: deadline, plan: plan, switched: try await store.deadlineSwitched(output: options.output))
    }

    /// Acts on the plan: cancels the probe when it is due, and every open batch once the job
    /// switches to Messages (the switch is committed first, so a resume keeps it). Returns when the
    /// plan wants to look again, nil when it has nothing to wait for.
    func steer(_ watch: inout DeadlineWatch, pending: [BatchRecord], schedules: inout [String: PollSchedule]) async throws -> Double? {
        let now = self.now()
        let open = pending.filter { !watch.canceled.contains($0.localID) }
        guard !open.isEmpty else { return nil }
        // The probe was canceled and its results are on their way: the pace is about to be known
        // (unless the cancel takes far longer than a switch should).
        if !watch.switched, watch.plan.pace == nil, let canceledAt = watch.probeCanceledAt,
            now - canceledAt < 2 * watch.plan.switchOverhead + 10
        {
            return nil
        }
        let probeOpen = open.contains { $0.localID == watch.probe } && watch.probeCanceledAt == nil
        let others = open.filter { $0.localID != watch.probe }.map {
            DeadlinePlan.OpenBatch(createdAt: $0.intentAt, requests: $0.requestCount)
        }
        let decision =
            watch.switched ? .switchNow : watch.plan.decide(now: now, batches: others, leftovers: watch.leftovers, probeOpen: probeOpen)
        switch decision {
        case .wait(let until):
            announce(&watch, open: open.count, switchAt: until, now: now)
            return until
        case .probe:
            if let probe = open.first(where: { $0.localID == watch.probe }), try await cancel(probe, watch: &watch, schedules: &schedules) {
                watch.probeCanceledAt = now
            }
            return nil
        case .switchNow:
            if !watch.switched {
                try await store.recordDeadlineSwitch(output: options.output)
                watch.switched = true
            }
            if watch.switchedAt == nil {
                watch.switchedAt = now
                if !options.quiet {
                    stderr(
                        "promptline: deadline \(watch.deadline): canceling \(open.count) batch\(open.count == 1 ? "" : "es"); "
                            + "what they did not answer goes through Messages")
                }
            }
            for record in open { _ = try await cancel(record, watch: &watch, schedules: &schedules) }
            return nil
        }
    }

    /// Cancels one batch; true when the API took the cancel (or the batch had ended already). Its
    /// polls come soon after: it ends once its finished requests are set aside.
    private func cancel(_ record: BatchRecord, watch: inout DeadlineWatch, schedules: inout [String: PollSchedule]) async throws -> Bool {
        guard let id = record.batchID else { return false }
        switch await client.cancel(id, timeout: options.timeout) {
        case .success:
            break
        case .failure(let failure):
            if let reason = JobStopReason(failure) { throw JobStop(reason: reason) }
            // A transient failure is tried again at the next look; a refusal means it cannot be canceled (it ended).
            guard let status = failure.status, !RetryPolicy.isRetryable(status: status) else {
                logger.warning("cancel failed; tried again", metadata: ["batch.id": "\(id)", "error": "\(failure)"])
                return false
            }
        }
        watch.canceled.insert(record.localID)
        schedules[record.localID] = PollSchedule(interval: min(batch.pollInterval, .seconds(1)).seconds, start: now())
        return true
    }

    /// The plan on stderr, when it changes by more than a few seconds or every 30 s.
    private func announce(_ watch: inout DeadlineWatch, open: Int, switchAt: Double, now: Double) {
        guard !options.quiet, options.progress != .none else { return }
        if let last = watch.announced, abs(last.switchAt - switchAt) < 5, now - last.at < 30 { return }
        watch.announced = (switchAt, now)
        let used = Int(((now - watch.plan.start) / max(1, watch.plan.deadline - watch.plan.start) * 100).rounded())
        let when = Date(timeIntervalSince1970: switchAt).formatted(.iso8601)
        stderr(
            "promptline: \(open) batch\(open == 1 ? "" : "es") processing, \(used) % of the time to \(watch.deadline) used; "
                + "through Messages at \(when) unless they end")
    }
}
