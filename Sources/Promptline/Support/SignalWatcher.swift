import Foundation
import Synchronization
import UnixSignals

/// Turns SIGINT and SIGTERM into stop requests, for as long as ``watching(_:_:)`` runs.
///
/// The signals themselves come from ServiceLifecycle's `UnixSignalsSequence`; this type only
/// hands the first one to every stream from ``stream()`` (a stream made after the signal gets it
/// at once). A second signal exits the process at once with 128 + the signal number (everything
/// committed is already safe in the store).
public final class SignalWatcher: Sendable {
    private struct State {
        var first: Int32?
        var continuations: [AsyncStream<Int32>.Continuation] = []
    }

    private let state = Mutex(State())

    /// The first stop request (one stream, made when the watcher was).
    public let signals: AsyncStream<Int32>

    /// A watcher that no signal reaches except through ``deliver(_:)`` (see ``watching(_:_:)``).
    init() {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        signals = stream
        state.withLock { $0.continuations.append(continuation) }
    }

    /// Runs `body` with a watcher fed by `numbers` from before `body` starts until it ends. Call it
    /// first thing in a command, so a signal during a slow start (the preflight, opening the
    /// store) is seen too.
    public static func watching<T>(
        _ numbers: [UnixSignal] = [.sigint, .sigterm], _ body: (SignalWatcher) async throws -> T
    ) async throws -> T {
        // The default action (terminate) must not win over the handler while it is being installed.
        for number in numbers { signal(number.rawValue, SIG_IGN) }
        let signals = await UnixSignalsSequence(trapping: numbers)
        let watcher = SignalWatcher()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await number in signals { watcher.deliver(number.rawValue) }
            }
            defer { group.cancelAll() }
            return try await body(watcher)
        }
    }

    /// Hands a signal to the streams (the first one), or exits at once (any later one).
    func deliver(_ number: Int32) {
        let waiting = state.withLock { state -> [AsyncStream<Int32>.Continuation]? in
            guard state.first == nil else { return nil }
            state.first = number
            return state.continuations
        }
        if let waiting {
            for continuation in waiting { continuation.yield(number) }
        } else {
            FileHandle.standardError.write(Data("promptline: second signal; exiting now (committed results are safe)\n".utf8))
            exit(ExitStatus.stopped(by: number).rawValue)
        }
    }

    /// The first signal received so far, if any.
    public var received: Int32? { state.withLock { $0.first } }

    /// A new stream of the first stop request, independent of ``signals`` and of other streams
    /// (cancelling a task that iterates one ends only that one).
    public func stream() -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        let first = state.withLock { state -> Int32? in
            if state.first == nil { state.continuations.append(continuation) }
            return state.first
        }
        if let first { continuation.yield(first) }
        return stream
    }

    /// Runs `operation` unless a stop request comes first; then returns the signal's number
    /// (and `operation` is cancelled).
    public func racing<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> Result<T, Interrupted> {
        let signals = stream()
        return try await withThrowingTaskGroup(of: Result<T, Interrupted>?.self) { group in
            group.addTask { .success(try await operation()) }
            group.addTask {
                for await number in signals { return .failure(Interrupted(signal: number)) }
                return nil
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let next { return next }
            }
            throw CancellationError()
        }
    }

    /// A stop request that came before an operation ended.
    public struct Interrupted: Error, Sendable {
        /// SIGINT or SIGTERM.
        public let signal: Int32
    }
}
