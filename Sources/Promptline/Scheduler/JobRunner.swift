import Foundation
import Logging

/// Runs one job: reads the input, answers each record from the store or through a request,
/// and writes one output line per record in input order.
///
/// Structured concurrency throughout: one task group holds at most `concurrency` requests in
/// flight; the in-order window of records not yet written is bounded, so when the record at its
/// head is slow, reading stops (backpressure) and memory stays flat whatever the input size.
public struct JobRunner: Sendable {
    private let options: JobOptions
    private let store: Store
    private let client: any MessagesTransport
    private let logger: Logger
    private let clock: any Clock<Duration>
    private let stderr: @Sendable (String) -> Void

    public init(
        options: JobOptions, store: Store, client: any MessagesTransport, logger: Logger,
        clock: any Clock<Duration> = ContinuousClock(),
        stderr: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    ) {
        self.options = options
        self.store = store
        self.client = client
        self.logger = logger
        self.clock = clock
        self.stderr = stderr
    }

    /// A fingerprint of the inputs (paths, sizes, modification times) and of every option that
    /// shapes the output: a partial output is resumed only under the same fingerprint.
    func fingerprint() -> String {
        var parts: [String] = []
        for path in options.inputs {
            if path == "-" {
                parts.append("-:\(UUID().uuidString)")  // standard input never matches: rebuilt from the store
            } else {
                let attributes = try? FileManager.default.attributesOfItem(atPath: path)
                let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
                let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
                parts.append("\(path):\(size):\(modified)")
            }
        }
        let defaults = options.defaults
        parts.append("model=\(defaults.model ?? "")|max=\(defaults.maxTokens)|system=\(defaults.system ?? "")")
        parts.append("temperature=\(defaults.temperature.map { "\($0)" } ?? "")|strict=\(options.strict)|line=\(options.maxLineBytes)")
        parts.append("fallback=\(options.fallbackModels.joined(separator: ","))|shard=\(options.shard.map { "\($0)" } ?? "")")
        return RequestKey(canonicalBytes: Array(parts.joined(separator: "\n").utf8)).rawValue
    }

    /// What a child task of the job's group reports.
    private enum Completion: Sendable {
        case answered(String, StoredAnswer)
        case cancelled
        /// The record met a job-wide stop; it stays pending.
        case stopped(JobStop)
        case interrupt(Int32)
        case graceOver
        case listenerEnded
    }

    /// Runs the job to its end (or to a stop) and returns its summary, whose `exitCode` the command exits with.
    ///
    /// - Parameter interrupts: signals asking the job to stop (SIGINT, SIGTERM): dispatch stops, requests in
    ///   flight get `gracePeriod` seconds to finish, everything answered is committed and written.
    public func run(interrupts: AsyncStream<Int32>? = nil) async throws -> JobSummary {
        let started = ContinuousClock.now
        let fingerprint = self.fingerprint()
        var summary = JobSummary()
        summary.output = options.output

        let checkpoint = try await store.checkpoint(output: options.output)
        if let checkpoint, checkpoint.finished, checkpoint.fingerprint == fingerprint, !options.retryErrored,
            FileManager.default.fileExists(atPath: options.output),
            let stored = try await store.jobSummary(output: options.output)
        {
            // A rerun of a finished job: nothing to read, nothing to send.
            // Its records by type and tier are the finished job's; its costs are this run's: none. It exits 0
            // (SPEC §7): nothing failed in this run, even when the finished job holds errored or invalid records.
            summary.records = stored.records
            summary.tiers = stored.tiers
            summary.stopReasons = stored.stopReasons
            summary.outputComplete = true
            summary.reusedFromStore = summary.totalRecords
            summary.wallSeconds = (ContinuousClock.now - started).seconds
            summary.recordsPerSecond = Double(summary.totalRecords) / max(0.001, summary.wallSeconds)
            if !options.quiet { stderr("promptline: \(options.output) is complete and up to date; nothing to do") }
            return summary
        }
        var skip = 0
        var resumeOffset = 0
        if let checkpoint, !checkpoint.finished, checkpoint.fingerprint == fingerprint {
            skip = checkpoint.recordsWritten
            resumeOffset = checkpoint.outputOffset
        } else {
            try await store.beginJob(output: options.output, fingerprint: fingerprint, inputs: options.inputs)
        }
        let writer = try OutputWriter(path: options.output, resumeOffset: resumeOffset)
        if await writer.resumedAt != resumeOffset {
            // The partial file is shorter than the checkpoint says (removed by hand?): start it over.
            skip = 0
            try await store.beginJob(output: options.output, fingerprint: fingerprint, inputs: options.inputs)
        }
        if skip > 0 && !options.quiet {
            stderr("promptline: resuming \(options.output): \(skip) records already written")
        }

        let input = InputStream(
            paths: options.inputs, defaults: options.defaults, maxLineBytes: options.maxLineBytes, strict: options.strict,
            shard: options.shard)
        let counters = JobCounters()
        // The policies read the time from the injected clock (the one the job sleeps on).
        let elapsed = clock.stopwatch()
        let health = ModelHealth(
            configuration: options.breaker, breakersEnabled: options.breakersEnabled, budget: RetryBudget(), logger: logger,
            now: elapsed)
        let spend = SpendMeter(budget: options.budgetUSD, prices: options.prices)
        let throttle = Throttle(
            requestsPerMinute: options.requestsPerMinute, inputTokensPerMinute: options.inputTokensPerMinute,
            outputTokensPerMinute: options.outputTokensPerMinute, maximumConcurrency: options.concurrency,
            headerAware: options.rateLimitHeaders, clock: clock, now: elapsed)
        let stopGate = StopGate()
        let runner = RequestRunner(
            client: client, store: store, options: options, counters: counters, health: health, spend: spend,
            throttle: throttle, clock: clock, logger: logger, stopGate: stopGate)
        let totalBytes = input.totalBytes
        var state = WindowState(skip: skip)
        // Records between claim and answer: a record waiting out a backoff holds no request slot (the
        // throttle's window bounds requests in flight), so many more records than `--concurrency` may
        // be in progress under a brown-out; the in-order window bounds them all the same.
        let recordsInProgress = min(state.capacity, max(256, options.concurrency * 4))
        var stop: JobStop?

        var interruptedBy: Int32?
        do {
            try await withThrowingTaskGroup(of: Completion.self) { group in
                var running = 0
                var lastCheckpoint = ContinuousClock.now
                var lastProgress = ContinuousClock.now
                var liveLineShown = false
                defer { if liveLineShown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) } }
                if let interrupts {
                    group.addTask {
                        for await signal in interrupts { return .interrupt(signal) }
                        return .listenerEnded
                    }
                }

                /// Stops waiting children at once and gives requests already sent `--grace-period`, then cancels them.
                var graceStarted = false
                func beginGrace() {
                    stopGate.stop()
                    guard !graceStarted else { return }
                    graceStarted = true
                    let grace = options.gracePeriod
                    group.addTask {
                        try? await clock.sleep(for: .milliseconds(Int64(grace * 1000)))
                        return .graceOver
                    }
                }
                /// Takes one finished child task's result into the window.
                func absorb(_ completion: Completion?) {
                    switch completion {
                    case .answered(let key, let answer)?:
                        running -= 1
                        state.answer(key: key, with: answer)
                    case .cancelled?:
                        running -= 1
                    case .stopped(let jobStop)?:
                        running -= 1
                        runner.stopGate.stop()
                        if stop == nil {
                            stop = jobStop
                            if !options.quiet {
                                stderr("promptline: stopping: \(jobStop); requests in flight get up to \(Int(options.gracePeriod)) s to finish")
                            }
                            beginGrace()
                        }
                    case .interrupt(let signal)?:
                        guard interruptedBy == nil else { return }
                        interruptedBy = signal
                        if !options.quiet {
                            stderr("promptline: interrupted; finishing \(running) requests in flight (up to \(Int(options.gracePeriod)) s), then stopping")
                        }
                        beginGrace()
                    case .graceOver?:
                        group.cancelAll()
                    case .listenerEnded?, nil:
                        break
                    }
                }
                func flush(force: Bool = false) async throws {
                    let lines = state.takeReady()
                    if !lines.isEmpty { try await writer.write(lines) }
                    let now = ContinuousClock.now
                    if force || state.sinceCheckpoint >= 2000 || (state.sinceCheckpoint > 0 && now - lastCheckpoint > .seconds(2)) {
                        let offset = try await writer.checkpoint()
                        try await store.saveProgress(output: options.output, records: state.written, offset: offset)
                        state.sinceCheckpoint = 0
                        lastCheckpoint = now
                    }
                    let interval: Double? = switch options.progress {
                    case .live: 0.5
                    case .plain(let every): every
                    case .none: nil
                    }
                    if let interval, !options.quiet, now - lastProgress > .seconds(interval) {
                        lastProgress = now
                        let line = progressLine(
                            written: state.written, skip: skip, elapsed: (now - started).seconds, counters: counters.values,
                            throttle: throttle, health: health, spend: spend, bytesRead: await input.bytesRead, totalBytes: totalBytes)
                        if options.progress == .live {
                            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
                            liveLineShown = true
                        } else {
                            stderr(line)
                        }
                    }
                }

                reading: while interruptedBy == nil, stop == nil, let batch = await input.nextBatch() {
                    var lookup: [String] = []
                    for case .valid(let record) in batch where state.isFresh(record.key) { lookup.append(record.key) }
                    let stored = try await store.answers(for: lookup, includeErrored: !options.retryErrored)
                    for record in batch {
                        switch state.admit(record, stored: stored) {
                        case .none:
                            break
                        case .warn(let message):
                            if !options.quiet { stderr("promptline: \(message)") }
                        case .send(let request):
                            while running >= recordsInProgress && interruptedBy == nil && stop == nil {
                                absorb(try await group.next())
                                try await flush()
                            }
                            if interruptedBy != nil || stop != nil { break reading }
                            group.addTask {
                                do {
                                    return .answered(request.key, try await runner.run(request))
                                } catch is CancellationError {
                                    return .cancelled
                                } catch let jobStop as JobStop {
                                    return .stopped(jobStop)
                                }
                            }
                            running += 1
                        }
                        while state.isWindowFull && interruptedBy == nil && stop == nil {
                            absorb(try await group.next())
                            try await flush()
                        }
                        if interruptedBy != nil || stop != nil { break reading }
                    }
                    try await flush()
                }
                while running > 0 {
                    absorb(try await group.next())
                    try await flush()
                }
                group.cancelAll()
                try await flush(force: true)
            }
        } catch let jobStop as JobStop {
            stop = jobStop
        }

        let values = counters.values
        summary.records = state.results
        summary.tiers = state.tiers
        summary.reusedFromStore = state.reused
        summary.requestsSent = values.requestsSent
        summary.retries = values.retries
        summary.rateLimited = values.rateLimited
        summary.inputTokens = values.inputTokens
        summary.outputTokens = values.outputTokens
        summary.interruptedKeys = values.interrupted
        summary.tokensByModel = values.tokensByModel
        (summary.costUSD, summary.costByModel) = spend.spent
        summary.recordFidelity(values: values, stopReasons: state.stopReasons, unpriced: spend.unpriced)
        summary.breakerTrips = health.trips
        summary.rateLimitsByModel = throttle.limits
        summary.concurrencyWindow = throttle.concurrencyLimit
        summary.throttledSends = values.throttled
        summary.successShares = health.successShares
        summary.poisonRecords = values.poisonRecords
        summary.wallSeconds = (ContinuousClock.now - started).seconds
        summary.recordsPerSecond = Double(state.written - skip) / max(0.001, summary.wallSeconds)

        let faults = await input.faults
        for fault in faults { stderr("promptline: \(fault)") }
        if let interruptedBy {
            try await store.releaseLeases()
            let offset = try await writer.checkpoint()
            try await store.saveProgress(output: options.output, records: state.written, offset: offset)
            await writer.abandon()
            summary.stopped = "interrupted by \(interruptedBy == SIGTERM ? "SIGTERM" : "SIGINT"); run the same command again to resume"
            summary.exitCode = ExitStatus.stopped(by: interruptedBy).rawValue
            return summary
        }
        if let stop {
            // Keep what is written, give back the leases, leave the rest pending for a resume.
            let offset = try await writer.checkpoint()
            try await store.saveProgress(output: options.output, records: state.written, offset: offset)
            try await store.releaseLeases()
            await writer.abandon()
            summary.stopped = stop.description
            summary.exitCode = stop.reason.exitCode
            return summary
        }
        if !faults.isEmpty {
            await writer.abandon()
            summary.stopped = faults[0]
            summary.exitCode = ExitStatus.unusableInput.rawValue
            return summary
        }
        let length = try await writer.finish()
        summary.outputComplete = true
        let unsuccessful = (state.results["errored"] ?? 0) + (state.results["invalid"] ?? 0)
        summary.exitCode = (unsuccessful > 0 ? ExitStatus.someRecordsFailed : .success).rawValue
        try await store.finishJob(
            output: options.output, records: state.written, offset: length, summary: Array(try JSONEncoder().encode(summary)))
        return summary
    }
}

extension JobRunner {
    /// One progress line: records written, rate, in flight and window, requests, retries, 429s,
    /// tokens, estimated cost, input read, the binding rate limit, breakers not closed.
    func progressLine(
        written: Int, skip: Int, elapsed: Double, counters values: JobCounters.Values, throttle: Throttle,
        health: ModelHealth, spend: SpendMeter, bytesRead: Int, totalBytes: Int?
    ) -> String {
        let rate = Double(written - skip) / max(0.001, elapsed)
        var read = "\(bytesRead) input bytes read"
        if let totalBytes, totalBytes > 0 {
            let fraction = min(1, Double(bytesRead) / Double(totalBytes))
            read = String(format: "%.1f%% of input read", fraction * 100)
            if fraction > 0.01 && fraction < 1 {
                read += ", ETA \(Int(elapsed * (1 - fraction) / fraction)) s"
            }
        }
        let bound = throttle.limits.compactMap { model, seen in seen.binding.map { "\(model) by \($0)" } }.sorted()
        let breakers = health.breakerStates.filter { $0.value != "closed" }
        let shares = health.successShares.filter { $0.value < 0.995 }
        return "promptline: \(written) records written, \(Int(rate)) records/s, \(throttle.inFlight) in flight "
            + "(window \(throttle.concurrencyLimit)), \(values.waiting) waiting, \(values.requestsSent) requests, \(values.retries) retries, "
            + "\(values.rateLimited) 429s, tokens in \(values.inputTokens) out \(values.outputTokens), "
            + "cost $\(String(format: "%.4f", spend.spent.total))\(spend.unpriced.isEmpty ? "" : " + unknown"), \(read)"
            + (bound.isEmpty ? "" : ", limited: " + bound.joined(separator: ", "))
            + (shares.isEmpty ? "" : ", success last min " + shares.sorted { $0.key < $1.key }.map { "\($0.key) \(Int(($0.value * 100).rounded())) %" }.joined(separator: ", "))
            + (values.throttled == 0 ? "" : ", \(values.throttled) sends throttled")
            + (breakers.isEmpty ? "" : ", breakers " + breakers.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
    }
}
