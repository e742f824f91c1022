import Foundation
import Logging

/// `run --backend batches`: the pending keys are answered through the Message Batches API
/// (``BatchRunner``), then ``JobRunner`` writes the ordered output from the store exactly as the
/// messages backend does (every key is answered by then, so it sends nothing).
public struct BatchJob: Sendable {
    private let options: JobOptions
    private let batch: BatchOptions
    private let store: Store
    private let messagesClient: MessagesClient
    private let batchesClient: BatchesClient
    private let logger: Logger

    /// A job through the Message Batches API, with `messagesClient` for what must switch to Messages.
    public init(
        options: JobOptions, batch: BatchOptions, store: Store, messagesClient: MessagesClient, batchesClient: BatchesClient,
        logger: Logger
    ) {
        self.options = options
        self.batch = batch
        self.store = store
        self.messagesClient = messagesClient
        self.batchesClient = batchesClient
        self.logger = logger
    }

    /// Runs both phases. `writeInterrupts` makes the signal stream of the output phase (the batch
    /// phase consumes `interrupts`).
    public func run(
        interrupts: AsyncStream<Int32>?, writeInterrupts: @Sendable () -> AsyncStream<Int32>? = { nil }
    ) async throws -> JobSummary {
        let writer = JobRunner(options: writeOptions, store: store, client: messagesClient, logger: logger)
        if try await isFinished(writer) {
            return try await writer.run(interrupts: writeInterrupts())
        }
        let started = ContinuousClock.now
        let phase = try await BatchRunner(options: options, batch: batch, store: store, client: batchesClient, logger: logger)
            .run(interrupts: interrupts)
        // The job's causes and exit statuses are the messages backend's (``StopCause``); created batches
        // are paid work and keep running, and a resume collects them.
        if let cause = phase.interruptedBy.map(StopCause.signal) ?? phase.stop.map(StopCause.job) {
            var summary = JobSummary()
            summary.output = options.output
            summary.batches = phase.summary
            summary.absorb(phase.summary)
            summary.wallSeconds = (ContinuousClock.now - started).seconds
            summary.stopped = cause.description + "; batches already created keep running and a resume collects them"
            summary.exitCode = cause.exitStatus
            return summary
        }
        if options.retryErrored, phase.summary.answersStored > 0 {
            // Answers that were errored changed: the output is written again from the store.
            try await store.beginJob(output: options.output, fingerprint: writer.fingerprint(), inputs: options.inputs)
        }
        var summary = try await writer.run(interrupts: writeInterrupts())
        // What the output phase answered by sending (a deadline job's leftovers), and at what cost.
        let answeredByMessages = summary.totalRecords - summary.reusedFromStore - (summary.records[.invalid] ?? 0)
        let messagesCost = summary.costUSD
        summary.reusedFromStore = max(0, summary.reusedFromStore - phase.summary.answersStored)
        summary.batches = phase.summary
        summary.absorb(phase.summary)
        summary.wallSeconds = (ContinuousClock.now - started).seconds
        if let deadline = options.deadline, var report = phase.summary.deadline {
            report.met = summary.outputComplete && Date() <= deadline.date
            report.recordsByBackend = ["batches": phase.summary.results["succeeded"] ?? 0, "messages": answeredByMessages]
            let allMessages = phase.summary.listPriceUSD + messagesCost
            report.costAgainstAllMessages = allMessages > 0 ? summary.costUSD / allMessages : nil
            summary.deadline = report
        }
        return summary
    }

    /// The output phase's options: errored answers of this run are final (the batch phase already
    /// retried what `--retry-errored` asked for).
    private var writeOptions: JobOptions {
        var options = self.options
        options.retryErrored = false
        return options
    }

    /// True when the job's output is complete and up to date: a rerun is a no-op.
    private func isFinished(_ writer: JobRunner) async throws -> Bool {
        guard !options.retryErrored, let checkpoint = try await store.checkpoint(output: options.output) else { return false }
        return checkpoint.finished && checkpoint.fingerprint == writer.fingerprint()
            && FileManager.default.fileExists(atPath: options.output)
    }
}

extension JobSummary {
    /// Takes the batch phase's requests, tokens and cost (at the batch price) into the job's figures.
    mutating func absorb(_ batches: BatchSummary) {
        requestsSent += batches.requestsSubmitted
        inputTokens += batches.inputTokens
        outputTokens += batches.outputTokens
        for (model, tokens) in batches.tokensByModel { tokensByModel[model, default: TokenCount()] += tokens }
        cacheCreationInputTokens = (cacheCreationInputTokens ?? 0) + batches.cacheCreationInputTokens
        cacheReadInputTokens = (cacheReadInputTokens ?? 0) + batches.cacheReadInputTokens
        cacheSavedUSD = (cacheSavedUSD ?? 0) + batches.cacheSavedUSD
        costUSD += batches.costUSD
        costByModel.merge(batches.costByModel, uniquingKeysWith: +)
    }
}
