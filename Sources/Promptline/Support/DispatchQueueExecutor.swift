import Dispatch

/// A serial executor backed by a private dispatch queue.
///
/// Actors that make blocking calls (SQLite, zlib, file I/O) run on one of these, so the blocking
/// happens on the queue's thread and never on Swift's small cooperative pool, in the manner of
/// GRDB's `DispatchQueueActor`.
final class DispatchQueueExecutor: SerialExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    /// Creates an executor on a new serial queue with the given label.
    init(label: String) {
        self.queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = self.asUnownedSerialExecutor()
        self.queue.async {
            job.runSynchronously(on: executor)
        }
    }

    /// Runs `body` on the queue after everything already queued there. Code in `body` may
    /// `assumeIsolated` an actor that runs on this executor.
    func execute(_ body: @escaping @Sendable () -> Void) {
        queue.async(execute: body)
    }

    /// Traps unless called on this executor's queue (what `assumeIsolated` checks).
    func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
