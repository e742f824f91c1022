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

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
