/// The output side of a job: the in-order window of records read but not yet written, the
/// writer of the (partial) output, and when progress is checkpointed.
///
/// A checkpoint flushes the writer (a complete gzip member) and saves in the store how many
/// records the partial output holds and its length, so a resume continues from there. One is
/// taken every ``checkpointLines`` lines written, or every ``checkpointInterval`` with lines
/// written since, and at every end of the job.
struct OrderedOutput {
    static let checkpointLines = 2000
    static let checkpointInterval = Duration.seconds(2)
    /// Lines handed to the writer together: one hop to its queue for many lines, not one a line.
    static let writeBatch = 256

    /// The in-order window: records admitted in input order, answered in any order.
    var window: WindowState
    private let writer: OutputWriter
    private let store: Store
    /// The job's output path, its key in the store.
    private let path: String
    private var lastCheckpoint: JobClock.Instant
    /// Lines taken from the window's head, in order, not yet handed to the writer (at most ``writeBatch``).
    private var pending: [[UInt8]] = []

    /// - Parameter start: the time the checkpoint interval counts from.
    init(window: WindowState, writer: OutputWriter, store: Store, path: String, start: JobClock.Instant) {
        self.window = window
        self.writer = writer
        self.store = store
        self.path = path
        self.lastCheckpoint = start
    }

    /// Lines written, counting those already in the partial output.
    var written: Int { window.written }

    /// True when a checkpoint is due, `linesSince` lines and `timeSince` after the last one.
    static func isCheckpointDue(linesSince: Int, timeSince: Duration) -> Bool {
        linesSince >= checkpointLines || (linesSince > 0 && timeSince > checkpointInterval)
    }

    /// Takes the lines ready at the head of the window, in order, and writes them once a batch of
    /// ``writeBatch`` has gathered; checkpoints (writing every line taken first) when one is due at
    /// `now`, or when `force`d (at the end of the job).
    mutating func flush(at now: JobClock.Instant, force: Bool = false) async throws {
        pending.append(contentsOf: window.takeReady())
        let due = force || Self.isCheckpointDue(linesSince: window.sinceCheckpoint, timeSince: now - lastCheckpoint)
        if pending.count >= Self.writeBatch || (due && !pending.isEmpty) {
            try await writer.write(pending)
            pending.removeAll(keepingCapacity: true)
        }
        if due { try await checkpoint(at: now) }
    }

    /// Checkpoints: the writer flushed, the records written and the output's length saved.
    private mutating func checkpoint(at now: JobClock.Instant) async throws {
        let offset = try await writer.checkpoint()
        try await store.saveProgress(output: path, records: window.written, offset: offset)
        window.sinceCheckpoint = 0
        lastCheckpoint = now
    }

    /// Completes the output and puts it in place; returns its length.
    func complete() async throws -> Int {
        try await writer.finish()
    }

    /// Closes the partial output without completing it (the job stopped): it stays for a resume.
    func abandon() async {
        await writer.abandon()
    }
}
