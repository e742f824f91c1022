import NIOCore

/// A task executor that runs its jobs on one NIO event loop.
///
/// A job's tasks prefer the HTTP client's event loop (``MessagesTransport/taskExecutor``): an
/// answer arrives on that loop, and the task waiting for it goes on there, in the same thread,
/// instead of being handed to Swift's cooperative pool and back for every request. Nothing that
/// runs on it may block: SQLite, zlib and files stay on their own queues
/// (``DispatchQueueExecutor``).
final class EventLoopTaskExecutor: TaskExecutor {
    private let eventLoop: any EventLoop

    /// Creates an executor that runs jobs on `eventLoop`.
    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
