/// A job's dispatch loop: reads the input in batches, answers each record from the store or
/// starts a request task for it, and writes lines as the head of the in-order window is answered.
///
/// A record's way through it: `InputStream.nextBatch` → `Store.answers(for:)` (answers already
/// stored) → `WindowState.admit` → a child task running `RequestRunner.run` → ``absorb(_:group:)``
/// → `WindowState.answer` → `OrderedOutput.flush` (lines in input order, checkpointed).
///
/// Structured concurrency: one task group holds the request tasks (at most `recordsInProgress`)
/// and the grace timer. When the window is full (its head is slow) or no request may start, the
/// loop takes completions instead of reading (backpressure).
///
/// Stopping is the job's one path, ``StopPath``, whatever the cause (a signal, the deadline, a
/// job-wide stop a request met, a store fault): every wait ends at once and nothing new is sent;
/// requests already sent get `--grace-period`, after which the group is cancelled. Reading stops,
/// the loop drains and returns; the job's end does the rest (see ``JobRunner``).
struct DispatchLoop {
    /// What a child task of the group reports.
    enum Completion: Sendable {
        case answered(RequestKey, StoredAnswer)
        case cancelled
        /// The record met a job-wide stop; it stays pending.
        case stopped(JobStop)
        /// The grace period after a stop is over: what is still in flight is cancelled.
        case graceOver
        /// The grace timer's task was cancelled (the loop ended first).
        case timerEnded
    }

    private let input: InputStream
    private let store: Store
    private let runner: RequestRunner
    private let options: JobOptions
    private let meters: JobMeters
    /// The job's clock: checkpoints and progress lines are due on it.
    private let clock: JobClock
    private let stderr: @Sendable (String) -> Void
    /// Records at the start of the input already in the partial output.
    private let skip: Int
    /// Most records between claim and answer: a record waiting out a backoff holds no request slot
    /// (the throttle's window bounds requests in flight), so more records than `--concurrency` may
    /// be in progress under a brown-out; the in-order window bounds them all the same.
    private let recordsInProgress: Int

    /// The window and the writer; the job's end takes it over.
    private(set) var output: OrderedOutput
    private var progress: ProgressReporter
    private let stopping: StopPath
    /// Request tasks in the group.
    private var running = 0

    init(
        input: InputStream, store: Store, runner: RequestRunner, options: JobOptions, meters: JobMeters,
        clock: JobClock, stderr: @escaping @Sendable (String) -> Void,
        terminal: @escaping @Sendable (String) -> Void, skip: Int, writer: OutputWriter, stopping: StopPath
    ) {
        self.input = input
        self.store = store
        self.runner = runner
        self.options = options
        self.meters = meters
        self.clock = clock
        self.stderr = stderr
        self.skip = skip
        self.stopping = stopping
        let start = clock.now
        let window = WindowState(skip: skip)
        recordsInProgress = min(window.capacity, max(256, options.concurrency * 4))
        output = OrderedOutput(window: window, writer: writer, store: store, path: options.output, start: start)
        progress = ProgressReporter(mode: options.progress, quiet: options.quiet, start: start, terminal: terminal)
    }

    /// True once something stopped the job: nothing new is read or sent.
    var isStopping: Bool { stopping.isStopping }

    /// Dispatches the whole input, or until something stops the job (the cause is the stop path's).
    mutating func run() async {
        defer { progress.finish() }
        stopping.setActivity(.requests(0))
        do {
            try await withThrowingTaskGroup(of: Completion.self) { group in
                group.addTask { [stopping] in await stopping.graceOver() ? .graceOver : .timerEnded }
                reading: while !isStopping, let batch = await input.nextBatch() {
                    let stored = try await storedAnswers(for: batch)
                    for record in batch {
                        switch output.window.admit(record, stored: stored) {
                        case .none:
                            break
                        case .warn(let message):
                            if !options.quiet { stderr("promptline: \(message)") }
                        case .send(let request):
                            while running >= recordsInProgress && !isStopping { try await absorbNext(&group) }
                            if isStopping { break reading }
                            start(request, in: &group)
                        }
                        while output.window.isWindowFull && !isStopping { try await absorbNext(&group) }
                        if isStopping { break reading }
                    }
                    try await flush()
                }
                while running > 0 { try await absorbNext(&group) }
                group.cancelAll()  // the grace timer
            }
        } catch {
            // The store or the output failed under the loop: the job still ends through its one end
            // (leases back, what is answered written where it can be).
            stopping.stop(.fault(error))
        }
    }

    /// The answers the store holds for the batch's keys not already awaited in the window.
    private func storedAnswers(for batch: [ParsedRecord]) async throws -> [RequestKey: StoredAnswer] {
        let window = output.window
        var stored = try await store.answers(to: batch, includeErrored: !options.retryErrored, where: { window.isFresh($0) })
        try await StructuredChain.present(batch, stored: &stored, cap: options.defaults.maxTokensCap) { [store, options] records in
            try await store.answers(to: records, includeErrored: !options.retryErrored)
        }
        return stored
    }

    /// Starts a request task for `request`.
    private mutating func start(_ request: RequestRecord, in group: inout ThrowingTaskGroup<Completion, any Error>) {
        let runner = self.runner
        group.addTask {
            do {
                return .answered(request.key, try await runner.runFollowingRaises(request))
            } catch is CancellationError {
                return .cancelled
            } catch let jobStop as JobStop {
                return .stopped(jobStop)
            }
        }
        running += 1
        stopping.requestsInFlight(1)
    }

    /// Waits for the next child task, takes its result in, and writes what is ready.
    private mutating func absorbNext(_ group: inout ThrowingTaskGroup<Completion, any Error>) async throws {
        absorb(try await group.next(), group: &group)
        try await flush()
    }

    /// Takes one finished child task's result in.
    private mutating func absorb(_ completion: Completion?, group: inout ThrowingTaskGroup<Completion, any Error>) {
        switch completion {
        case .answered(let key, let answer)?:
            requestEnded()
            output.window.answer(key: key, with: answer)
        case .cancelled?:
            requestEnded()
        case .stopped(let jobStop)?:
            requestEnded()
            stopping.stop(.job(jobStop))
        case .graceOver?:
            group.cancelAll()
        case .timerEnded?, nil:
            break
        }
    }

    private mutating func requestEnded() {
        running -= 1
        stopping.requestsInFlight(-1)
    }

    /// Writes the lines ready at the head of the window (checkpointing when due), and shows a
    /// progress line when one is due.
    private mutating func flush() async throws {
        let now = clock.now
        try await output.flush(at: now)
        if progress.isDue(at: now) {
            let bytesRead = await input.bytesRead
            let line = ProgressReporter.line(
                written: output.written, skip: skip, elapsed: now - .start, meters: meters, bytesRead: bytesRead,
                totalBytes: input.totalBytes)
            progress.show(line, at: now)
        }
    }
}
