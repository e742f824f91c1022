import Foundation
import Logging

/// Runs one job, whichever backend answers it: reads the input, answers each record from the
/// store or through a request, and writes one output line per record in input order.
///
/// In five steps, each in its own type:
/// 1. ``ResumePlan``: where the job starts (nothing to do for a finished job, or after the records
///    its partial output already holds);
/// 2. with the Batches backend (``JobBackend``), ``BatchRunner``: every pending key answered in the
///    store through batches (with `--deadline`, until the latest safe switch to Messages);
/// 3. ``DispatchLoop``: records from the input through the store or a ``RequestRunner`` into the
///    in-order window (``WindowState``) and out through ``OrderedOutput``, with progress
///    (``ProgressReporter``), until the input is done or something stops it;
/// 4. the end, one routine whatever the cause and the backend: every answered line written and
///    checkpointed; then either the output completed and put in place, or the leases given back
///    and the partial output left for a resume;
/// 5. one summary (``JobSummary``), with the batches' figures and the deadline's report.
///
/// Stopping has one path, ``StopPath``, for every cause (a signal, the deadline, a job-wide
/// condition, a store fault) and both backends.
///
/// Structured concurrency throughout: one task group holds the records in progress (the throttle
/// keeps at most `concurrency` requests in flight); the in-order window of records not yet written
/// is bounded, so when the record at its head is slow, reading stops (backpressure) and memory
/// stays flat whatever the input size.
public struct JobRunner: Sendable {
    private let options: JobOptions
    private let backend: JobBackend
    private let store: Store
    private let client: any MessagesTransport
    private let logger: Logger
    /// The clock the job's time (``JobClock``) runs on.
    private let clock: any Clock<Duration>
    /// Messages, one line each (a newline is added).
    private let stderr: @Sendable (String) -> Void
    /// Where progress lines go, written as given (the live line redraws itself with terminal codes).
    var terminal: @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }

    /// A job of `options` answered through `backend`; `client` is the Messages API's (the Batches
    /// backend's leftovers after a deadline switch go through it).
    public init(
        options: JobOptions, backend: JobBackend = .messages, store: Store, client: any MessagesTransport, logger: Logger,
        clock: any Clock<Duration> = ContinuousClock(),
        stderr: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    ) {
        self.options = options
        self.backend = backend
        self.store = store
        self.client = client
        self.logger = logger
        self.clock = clock
        self.stderr = stderr
    }

    /// A fingerprint of the inputs and of every option that shapes the output (``ResumePlan/fingerprint(of:)``).
    func fingerprint() -> String { ResumePlan.fingerprint(of: options) }

    /// Runs the job to its end (or to a stop) and returns its summary, whose `exitCode` the command exits with.
    ///
    /// - Parameter interrupts: signals asking the job to stop (SIGINT, SIGTERM): nothing new is sent,
    ///   requests in flight get `gracePeriod` seconds to finish, everything answered is committed and
    ///   written; created batches keep running.
    public func run(interrupts: AsyncStream<Int32>? = nil) async throws -> JobSummary {
        // One clock for everything: the policies, the grace period, checkpoints, progress, wall time.
        let clock = JobClock(self.clock)
        if let finished = try await ResumePlan.finishedJob(for: options, store: store) {
            if !options.quiet { stderr("promptline: \(options.output) is complete and up to date; nothing to do") }
            return JobSummary(rerunOf: finished, output: options.output, wallSeconds: clock.now.seconds)
        }
        let stopping = StopPath(clock: clock, gracePeriod: options.gracePeriod, announce: options.quiet ? nil : stderr)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            // The stops that come from outside the backends: a signal, the deadline passing.
            if let interrupts {
                group.addTask {
                    for await signal in interrupts {
                        stopping.stop(.signal(signal))
                        return
                    }
                }
            }
            if let deadline = options.deadline {
                let remaining = Duration.seconds(max(0, deadline.remaining()))
                group.addTask {
                    guard (try? await clock.sleep(for: remaining)) != nil else { return }  // the job ended first
                    stopping.stop(.job(JobStop(reason: .deadline(deadline))))
                }
            }
            do {
                let summary = try await work(stopping: stopping, clock: clock)
                group.cancelAll()
                return summary
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// The backends' work, then the one end.
    private func work(stopping: StopPath, clock: JobClock) async throws -> JobSummary {
        var options = self.options
        var batches: BatchSummary?
        if case .batches(let batchesClient, let batchOptions) = backend {
            let phase = BatchRunner(
                options: options, batch: batchOptions, store: store, client: batchesClient, logger: logger, stopping: stopping,
                clock: clock, wallClock: store.wallClock, stderr: stderr)
            let figures = try await phase.run()
            batches = figures
            if stopping.cause == nil, options.retryErrored, figures.answersStored > 0 {
                // Answers that were errored changed: the output is written again from the store.
                try await store.beginJob(output: options.output, fingerprint: fingerprint(), inputs: options.inputs)
            }
            // The batches already retried what `--retry-errored` asked for: errored answers are final now.
            options.retryErrored = false
        }
        let meters = JobMeters(options: options, remembered: try await store.memories(), clock: clock, logger: logger)
        guard stopping.cause == nil else {
            return try await end(nil, stopping: stopping, skip: 0, meters: meters, batches: batches, clock: clock)
        }
        // Not finished (the start of `run` saw to that): the output goes on where it stopped.
        let plan = try await ResumePlan.make(for: options, store: store)
        let skip = plan.skip
        if skip > 0 && !options.quiet {
            stderr("promptline: resuming \(options.output): \(skip) records already written")
        }

        let input = InputStream(
            paths: options.inputs, defaults: options.defaults, maxLineBytes: options.maxLineBytes, strict: options.strict,
            shard: options.shard)
        let runner = RequestRunner(
            client: client, store: store, options: options, counters: meters.counters, health: meters.health, spend: meters.spend,
            throttle: meters.throttle, promptCache: meters.promptCache, clock: clock, logger: logger, stopGate: stopping.gate)
        var dispatch = DispatchLoop(
            input: input, store: store, runner: runner, options: options, meters: meters, clock: clock, stderr: stderr,
            terminal: terminal, skip: skip, writer: plan.writer, stopping: stopping)
        // The whole dispatch runs where the client's answers arrive (its event loop, for
        // MessagesClient); child tasks inherit the preference.
        await withTaskExecutorPreference(client.taskExecutor) {
            await dispatch.run()
        }

        let faults = await input.faults
        for fault in faults { stderr("promptline: \(fault)") }
        if let fault = faults.first { stopping.stop(.inputFault(fault)) }
        return try await end(dispatch.output, stopping: stopping, skip: skip, meters: meters, batches: batches, clock: clock)
    }

    /// Keeps what this run learned of each model it sent to (rate limits, latency) for later plans.
    private func remember(_ meters: JobMeters) async throws {
        let values = meters.counters.values
        let limits = meters.throttle.limits
        for (model, samples) in values.latencySamples where samples > 0 {
            let learned = limits[model]?.limits ?? [:]
            let memory = ModelMemory(
                requestsPerMinute: learned["requests"], inputTokensPerMinute: learned["input_tokens"],
                latency: (values.latencySeconds[model] ?? 0) / Double(samples))
            try await store.remember(memory, of: model)
        }
    }

    /// The one end of a job: every answered line is written and checkpointed; then, when something
    /// stopped it, the leases go back, the partial output stays for a resume (the records not
    /// answered stay pending; created batches keep running) and the exit status is the cause's;
    /// otherwise the output is completed, put in place and the job marked finished (exit 0, or 1
    /// when some records are errored or invalid). `output` is nil when the job stopped before its
    /// output pass (in the batches).
    private func end(
        _ output: OrderedOutput?, stopping: StopPath, skip: Int, meters: JobMeters, batches: BatchSummary?, clock: JobClock
    ) async throws -> JobSummary {
        let cause = stopping.cause
        // After a store or output fault, what can still be written is; the fault is what the job reports.
        let faulted = if case .fault? = cause { true } else { false }
        var summary = JobSummary()
        summary.output = options.output
        if var output {
            if faulted { try? await output.flush(at: clock.now, force: true) } else { try await output.flush(at: clock.now, force: true) }
            summary = JobSummary(output: options.output, window: output.window, skip: skip, meters: meters, wallSeconds: clock.now.seconds)
            (summary.storeTransactions, summary.storeWrites) = store.groupCommitFigures
        }
        summary.wallSeconds = clock.now.seconds
        if !faulted { try await remember(meters) }
        account(batches, in: &summary)
        if let cause {
            if faulted { try? await store.releaseLeases() } else { try await store.releaseLeases() }
            await output?.abandon()
            summary.stopped = cause.description
            if batches != nil, case .signal = cause {
                summary.stopped! += "; batches already created keep running and a resume collects them"
            }
            summary.exitCode = cause.exitStatus
            return summary
        }
        guard let output else { preconditionFailure("a job that did not stop has written its output") }
        let length = try await output.complete()
        summary.outputComplete = true
        if var report = summary.deadline, let deadline = options.deadline {
            report.met = store.wallClock.now <= deadline.date
            summary.deadline = report
        }
        // A JSON record whose answer did not parse did not succeed either (refused, cut at the cap, not JSON).
        let unsuccessful = (summary.records[.errored] ?? 0) + (summary.records[.invalid] ?? 0) + (summary.structured?.unparsed ?? 0)
        summary.exitCode = unsuccessful > 0 ? .someRecordsFailed : .success
        try await store.finishJob(
            output: options.output, records: output.written, offset: length, summary: Array(try JSONEncoder().encode(summary)))
        return summary
    }

    /// Takes the batches' figures into the summary, and reports on the deadline: records by
    /// backend, cost against all-Messages (`met` is set once the output is complete).
    private func account(_ batches: BatchSummary?, in summary: inout JobSummary) {
        // What the output pass answered by sending (a deadline job's leftovers), and at what cost.
        let answeredByMessages = summary.totalRecords - summary.reusedFromStore - (summary.records[.invalid] ?? 0)
        let messagesCost = summary.costUSD
        if let batches {
            summary.reusedFromStore = max(0, summary.reusedFromStore - batches.answersStored)
            summary.absorb(batches)
        }
        guard let deadline = options.deadline else { return }
        var report =
            batches?.deadline
            ?? DeadlineReport(
                deadline: deadline.description, switchedToMessages: false, batchesCanceled: 0, leftForMessages: 0, met: false,
                recordsByBackend: [:], costAgainstAllMessages: 1)
        report.met = false
        if let batches {
            report.recordsByBackend = ["batches": batches.results["succeeded"] ?? 0, "messages": answeredByMessages]
            let allMessages = batches.listPriceUSD + messagesCost
            report.costAgainstAllMessages = allMessages > 0 ? summary.costUSD / allMessages : nil
        } else {
            report.recordsByBackend = ["messages": answeredByMessages]
        }
        summary.deadline = report
    }
}
