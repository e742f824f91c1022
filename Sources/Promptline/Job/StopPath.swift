import Synchronization

/// The job's one way to stop, whatever the cause (``StopCause``) and whichever backend is at work.
///
/// ``stop(_:)`` notes the cause (the strongest wins; each kind is announced once, on stderr), and
/// closes the ``gate``: every wait ends at once and nothing new is sent or created. Work already
/// under way — requests sent, a batch create whose id must be recorded — gets `--grace-period`
/// (``graceOver()``), after which the backend at work cancels it. The job's end then does the rest
/// for every cause alike (see ``JobRunner``).
final class StopPath: Sendable {
    /// What the job is doing, for the line that announces a stop.
    enum Activity: Sendable {
        /// The Messages backend, with this many requests in flight.
        case requests(Int)
        /// The Message Batches backend: created batches keep running (they are paid work).
        case batches
    }

    private struct State {
        var latch = StopCause.Latch()
        var activity = Activity.requests(0)
    }

    /// The switch every wait and every send looks at.
    let gate: StopGate
    private let state = Mutex(State())
    private let clock: JobClock
    private let gracePeriod: Duration
    /// The announcement's destination; nil keeps quiet (`--quiet`).
    private let announce: (@Sendable (String) -> Void)?

    init(
        gate: StopGate = StopGate(), clock: JobClock, gracePeriod: Duration,
        announce: (@Sendable (String) -> Void)?
    ) {
        self.gate = gate
        self.clock = clock
        self.gracePeriod = gracePeriod
        self.announce = announce
    }

    /// The cause the job ends with; nil while nothing stopped it.
    var cause: StopCause? { state.withLock { $0.latch.cause } }

    /// True once something stopped the job: nothing new is read, sent or created.
    var isStopping: Bool { gate.isStopped }

    /// Sets what the job is doing (for the announcement).
    func setActivity(_ activity: Activity) {
        state.withLock { $0.activity = activity }
    }

    /// Counts a request sent (`+1`) or ended (`-1`) by the Messages backend.
    func requestsInFlight(_ change: Int) {
        state.withLock { state in
            if case .requests(let count) = state.activity { state.activity = .requests(count + change) }
        }
    }

    /// Stops the job for `cause`: notes it, announces it when it is the first of its kind, and
    /// closes the gate.
    func stop(_ cause: StopCause) {
        let (first, activity) = state.withLock { state in (state.latch.note(cause), state.activity) }
        if first, let announce, let line = cause.announcement(activity, gracePeriod: gracePeriod) { announce(line) }
        gate.stop()
    }

    /// Throws `CancellationError` once the job is stopping (or the task is cancelled): the check a
    /// backend makes before it starts anything new.
    func check() throws {
        try Task.checkCancellation()
        if gate.isStopped { throw CancellationError() }
    }

    /// Sleeps for `duration` on the job's clock, unless the job stops first (then throws `CancellationError`).
    func sleep(for duration: Duration) async throws {
        try await gate.guarding { [clock] in try await clock.sleep(for: duration) }
    }

    /// Waits until the job has been stopping for the grace period: the moment the backend at work
    /// cancels what is still under way. True then; false when the task is cancelled first (the
    /// backend finished).
    func graceOver() async -> Bool {
        await gate.stopped()
        guard !Task.isCancelled else { return false }
        return (try? await clock.sleep(for: gracePeriod)) != nil
    }
}
