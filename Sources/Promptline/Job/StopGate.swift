import Synchronization

/// The job-wide "stopping" switch seen by every request task.
///
/// Once a job stops (budget, spend cap, outage, 401/403) or is interrupted (SIGINT, SIGTERM), no
/// new request is sent, and a task that is only waiting — on a retry's backoff or a long
/// `retry-after`, in the throttle, on another process's lease, through an outage — ends at once
/// with `CancellationError` (its record stays pending). Requests already sent are not touched
/// here: the job gives them `--grace-period`, then cancels the task group.
final class StopGate: Sendable {
    private struct State {
        var stopped = false
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var handlers: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    init() {}

    /// True once ``stop()`` was called.
    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Stops the job's waiting tasks (idempotent).
    func stop() {
        let (waiters, handlers) = state.withLock { state -> ([CheckedContinuation<Void, Never>], [@Sendable () -> Void]) in
            guard !state.stopped else { return ([], []) }
            state.stopped = true
            defer {
                state.waiters = [:]
                state.handlers = []
            }
            return (Array(state.waiters.values), state.handlers)
        }
        for waiter in waiters { waiter.resume() }
        for handler in handlers { handler() }
    }

    /// Calls `handler` once when the gate stops (at once when it has stopped already): for waits
    /// that end themselves on a stop, such as ``Throttle``'s queue, cheaper than ``guarding(_:)``.
    func onStop(_ handler: @escaping @Sendable () -> Void) {
        let stopped = state.withLock { state in
            if !state.stopped { state.handlers.append(handler) }
            return state.stopped
        }
        if stopped { handler() }
    }

    /// Runs `operation` (a wait) unless the gate stops first, in which case the operation is
    /// cancelled and `CancellationError` is thrown.
    func guarding<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        if isStopped { throw CancellationError() }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                await self.stopped()
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw CancellationError() }
            return value
        }
    }

    /// Returns when the gate stops or the calling task is cancelled.
    func stopped() async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.stopped || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
