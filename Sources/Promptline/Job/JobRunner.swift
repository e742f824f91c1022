import Foundation
import Logging

/// Runs one job: reads the input, answers each record from the store or through a request,
/// and writes one output line per record in input order.
///
/// In four steps, each in its own type:
/// 1. ``ResumePlan``: where the job starts (nothing to do for a finished job, or after the records
///    its partial output already holds);
/// 2. ``DispatchLoop``: records from the input through the store or a ``RequestRunner`` into the
///    in-order window (``WindowState``) and out through ``OrderedOutput``, with progress
///    (``ProgressReporter``), until the input is done or something stops it (``StopCause``);
/// 3. the end, one routine whatever the cause: every answered line written and checkpointed; then
///    either the output completed and put in place, or the leases given back and the partial
///    output left for a resume;
/// 4. the summary (``JobSummary/init(output:window:skip:meters:wallSeconds:)``).
///
/// Structured concurrency throughout: one task group holds the records in progress (the throttle
/// keeps at most `concurrency` requests in flight); the in-order window of records not yet written
/// is bounded, so when the record at its head is slow, reading stops (backpressure) and memory
/// stays flat whatever the input size.
public struct JobRunner: Sendable {
    private let options: JobOptions
    private let store: Store
    private let client: any MessagesTransport
    private let logger: Logger
    private let clock: any Clock<Duration>
    /// Messages, one line each (a newline is added).
    private let stderr: @Sendable (String) -> Void
    /// Where progress lines go, written as given (the live line redraws itself with terminal codes).
    var terminal: @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }

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

    /// A fingerprint of the inputs and of every option that shapes the output (``ResumePlan/fingerprint(of:)``).
    func fingerprint() -> String { ResumePlan.fingerprint(of: options) }

    /// Runs the job to its end (or to a stop) and returns its summary, whose `exitCode` the command exits with.
    ///
    /// - Parameter interrupts: signals asking the job to stop (SIGINT, SIGTERM): dispatch stops, requests in
    ///   flight get `gracePeriod` seconds to finish, everything answered is committed and written.
    public func run(interrupts: AsyncStream<Int32>? = nil) async throws -> JobSummary {
        // One clock for everything: the policies, the grace period, checkpoints, progress, wall time.
        let now = clock.stopwatch()
        let skip: Int
        let writer: OutputWriter
        switch try await ResumePlan.make(for: options, store: store) {
        case .finished(let finished):
            if !options.quiet { stderr("promptline: \(options.output) is complete and up to date; nothing to do") }
            return JobSummary(rerunOf: finished, output: options.output, wallSeconds: now())
        case .write(let resumeSkip, let resumeWriter):
            (skip, writer) = (resumeSkip, resumeWriter)
        }
        if skip > 0 && !options.quiet {
            stderr("promptline: resuming \(options.output): \(skip) records already written")
        }

        let input = InputStream(
            paths: options.inputs, defaults: options.defaults, maxLineBytes: options.maxLineBytes, strict: options.strict,
            shard: options.shard)
        let meters = JobMeters(options: options, remembered: try await store.memories(), clock: clock, now: now, logger: logger)
        let runner = RequestRunner(
            client: client, store: store, options: options, counters: meters.counters, health: meters.health, spend: meters.spend,
            throttle: meters.throttle, promptCache: meters.promptCache, clock: clock, logger: logger, stopGate: StopGate())
        var dispatch = DispatchLoop(
            input: input, store: store, runner: runner, options: options, meters: meters, clock: clock, now: now, stderr: stderr,
            terminal: terminal, skip: skip, writer: writer)
        // The whole dispatch runs where the client's answers arrive (its event loop, for
        // MessagesClient); child tasks inherit the preference.
        let stopped = try await withTaskExecutorPreference(client.taskExecutor) {
            try await dispatch.run(interrupts: interrupts)
        }

        let faults = await input.faults
        for fault in faults { stderr("promptline: \(fault)") }
        return try await end(
            dispatch.output, cause: stopped ?? faults.first.map(StopCause.inputFault), skip: skip, meters: meters, now: now)
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

    /// The one end of a job that read its input: every answered line is written and checkpointed;
    /// then, when something stopped it, the leases go back, the partial output stays for a resume
    /// (the records not answered stay pending) and the exit status is the cause's; otherwise the
    /// output is completed, put in place and the job marked finished (exit 0, or 1 when some records
    /// are errored or invalid).
    private func end(
        _ output: OrderedOutput, cause: StopCause?, skip: Int, meters: JobMeters, now: () -> Double
    ) async throws -> JobSummary {
        var output = output
        // After a store or output fault, what can still be written is; the fault is what the job reports.
        let faulted = if case .fault? = cause { true } else { false }
        if faulted { try? await output.flush(at: now(), force: true) } else { try await output.flush(at: now(), force: true) }
        var summary = JobSummary(output: options.output, window: output.window, skip: skip, meters: meters, wallSeconds: now())
        (summary.storeTransactions, summary.storeWrites) = store.groupCommitFigures
        if !faulted { try await remember(meters) }
        if let deadline = options.deadline {
            summary.deadline = DeadlineReport(
                deadline: deadline.description, switchedToMessages: false, batchesCanceled: 0, leftForMessages: 0,
                met: cause == nil && Date() <= deadline.date,
                recordsByBackend: ["messages": summary.totalRecords - summary.reusedFromStore - (summary.records["invalid"] ?? 0)],
                costAgainstAllMessages: 1)
        }
        if let cause {
            if faulted { try? await store.releaseLeases() } else { try await store.releaseLeases() }
            await output.abandon()
            summary.stopped = cause.description
            summary.exitCode = cause.exitStatus.rawValue
            return summary
        }
        let length = try await output.complete()
        summary.outputComplete = true
        // A JSON record whose answer did not parse did not succeed either (refused, cut at the cap, not JSON).
        let unsuccessful = (summary.records["errored"] ?? 0) + (summary.records["invalid"] ?? 0) + (summary.structured?.unparsed ?? 0)
        summary.exitCode = (unsuccessful > 0 ? ExitStatus.someRecordsFailed : .success).rawValue
        try await store.finishJob(
            output: options.output, records: output.written, offset: length, summary: Array(try JSONEncoder().encode(summary)))
        return summary
    }
}
