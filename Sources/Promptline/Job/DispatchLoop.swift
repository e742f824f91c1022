/// A job's dispatch loop: reads the input in batches, answers each record from the store or
/// starts a request task for it, and writes lines as the head of the in-order window is answered.
///
/// A record's way through it: `InputStream.nextBatch` → `Store.answers(for:)` (answers already
/// stored) → `WindowState.admit` → a child task running `RequestRunner.run` → ``absorb(_:group:)``
/// → `WindowState.answer` → `OrderedOutput.flush` (lines in input order, checkpointed).
///
/// Structured concurrency: one task group holds the request tasks (at most `recordsInProgress`),
/// the signal listener and the grace timer. When the window is full (its head is slow) or no
/// request may start, the loop takes completions instead of reading (backpressure).
///
/// Stopping is one path, ``stop(_:group:)``, whatever the cause (a signal from `interrupts`, a
/// job-wide stop a request met): the cause is noted (the strongest wins; each kind is announced
/// once), the ``StopGate`` ends every wait at once and nothing new is sent, and a grace timer
/// gives requests already sent `--grace-period`, after which the group is cancelled. Reading stops,
/// the loop drains and returns the cause; the job's end does the rest (see ``JobRunner``).
struct DispatchLoop {
    /// What a child task of the group reports.
    enum Completion: Sendable {
        case answered(RequestKey, StoredAnswer)
        case cancelled
        /// The record met a job-wide stop; it stays pending.
        case stopped(JobStop)
        case interrupt(Int32)
        /// `--deadline` passed: nothing more is sent.
        case deadline
        case graceOver
        case listenerEnded
    }

    private let input: InputStream
    private let store: Store
    private let runner: RequestRunner
    private let options: JobOptions
    private let meters: JobMeters
    private let clock: any Clock<Duration>
    /// Seconds on the job's clock since the job started.
    private let now: @Sendable () -> Double
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
    private var stops = StopCause.Latch()
    /// Request tasks in the group.
    private var running = 0
    private var graceStarted = false

    init(
        input: InputStream, store: Store, runner: RequestRunner, options: JobOptions, meters: JobMeters, clock: any Clock<Duration>,
        now: @escaping @Sendable () -> Double, stderr: @escaping @Sendable (String) -> Void,
        terminal: @escaping @Sendable (String) -> Void, skip: Int, writer: OutputWriter
    ) {
        self.input = input
        self.store = store
        self.runner = runner
        self.options = options
        self.meters = meters
        self.clock = clock
        self.now = now
        self.stderr = stderr
        self.skip = skip
        let start = now()
        let window = WindowState(skip: skip)
        recordsInProgress = min(window.capacity, max(256, options.concurrency * 4))
        output = OrderedOutput(window: window, writer: writer, store: store, path: options.output, start: start)
        progress = ProgressReporter(mode: options.progress, quiet: options.quiet, start: start, terminal: terminal)
    }

    /// True once something stopped the job: nothing new is read or sent.
    var isStopping: Bool { stops.cause != nil }

    /// Dispatches the whole input, or until something stops the job; returns why it stopped (nil
    /// when every record was read and answered).
    mutating func run(interrupts: AsyncStream<Int32>?) async throws -> StopCause? {
        defer { progress.finish() }
        do {
            try await withThrowingTaskGroup(of: Completion.self) { group in
                if let interrupts {
                    group.addTask {
                        for await signal in interrupts { return .interrupt(signal) }
                        return .listenerEnded
                    }
                }
                if let deadline = options.deadline {
                    let clock = self.clock
                    let remaining = deadline.remaining()
                    group.addTask {
                        do {
                            try await clock.sleep(for: .milliseconds(Int64(max(0, remaining) * 1000)))
                            return .deadline
                        } catch {
                            return .listenerEnded  // the job ended first
                        }
                    }
                }
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
                group.cancelAll()  // the signal listener, the deadline and grace timers
            }
        } catch {
            // The store or the output failed under the loop: the job still ends through its one end
            // (leases back, what is answered written where it can be).
            _ = stops.note(.fault(error))
        }
        return stops.cause
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
            running -= 1
            output.window.answer(key: key, with: answer)
        case .cancelled?:
            running -= 1
        case .stopped(let jobStop)?:
            running -= 1
            stop(.job(jobStop), group: &group)
        case .interrupt(let signal)?:
            stop(.signal(signal), group: &group)
        case .deadline?:
            if let deadline = options.deadline { stop(.job(JobStop(reason: .deadline(deadline))), group: &group) }
        case .graceOver?:
            group.cancelAll()
        case .listenerEnded?, nil:
            break
        }
    }

    /// The one way to stop: notes the cause (announced once per kind), ends every wait and new
    /// send at once (the stop gate), and gives requests already sent `--grace-period` before the
    /// group is cancelled.
    private mutating func stop(_ cause: StopCause, group: inout ThrowingTaskGroup<Completion, any Error>) {
        if stops.note(cause), !options.quiet, let line = cause.announcement(inFlight: running, gracePeriod: options.gracePeriod) {
            stderr(line)
        }
        runner.stopGate.stop()
        guard !graceStarted else { return }
        graceStarted = true
        let clock = self.clock
        let grace = options.gracePeriod
        group.addTask {
            try? await clock.sleep(for: .milliseconds(Int64(grace * 1000)))
            return .graceOver
        }
    }

    /// Writes the lines ready at the head of the window (checkpointing when due), and shows a
    /// progress line when one is due.
    private mutating func flush() async throws {
        let now = self.now()
        try await output.flush(at: now)
        if progress.isDue(at: now) {
            let bytesRead = await input.bytesRead
            let line = ProgressReporter.line(
                written: output.written, skip: skip, elapsed: now, meters: meters, bytesRead: bytesRead, totalBytes: input.totalBytes)
            progress.show(line, at: now)
        }
    }
}
