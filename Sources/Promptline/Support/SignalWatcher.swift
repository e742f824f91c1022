import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into stop requests, from the moment it is created.
///
/// Create it first thing in a command, so a signal during a slow start (the preflight, opening
/// the store) is seen too. The first signal is delivered to every stream from ``stream()``
/// (a stream made after the signal gets it at once); a second signal exits the process at once
/// with 128 + the signal number (everything committed is already safe in the store).
public final class SignalWatcher: Sendable {
    private struct State {
        var first: Int32?
        var continuations: [AsyncStream<Int32>.Continuation] = []
    }

    /// The state shared with the signal handlers.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }

    /// The first stop request (one stream, made when the watcher was).
    public let signals: AsyncStream<Int32>
    private let shared: Shared
    private let sources: Mutex<[any DispatchSourceSignal]>

    public init(_ numbers: [Int32] = [SIGINT, SIGTERM]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        signals = stream
        let shared = Shared()
        self.shared = shared
        shared.state.withLock { $0.continuations.append(continuation) }
        var sources: [any DispatchSourceSignal] = []
        for number in numbers {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { Self.deliver(number, to: shared) }
            source.resume()
            sources.append(source)
        }
        self.sources = Mutex(sources)
    }

    /// Hands a signal to the streams (the first one), or exits at once (any later one).
    private static func deliver(_ number: Int32, to shared: Shared) {
        let waiting = shared.state.withLock { state -> [AsyncStream<Int32>.Continuation]? in
            guard state.first == nil else { return nil }
            state.first = number
            return state.continuations
        }
        if let waiting {
            for continuation in waiting { continuation.yield(number) }
        } else {
            FileHandle.standardError.write(Data("promptline: second signal; exiting now (committed results are safe)\n".utf8))
            exit(128 + number)
        }
    }

    /// Acts as if `number` had arrived (for tests: a second call exits the process).
    func deliver(_ number: Int32) {
        Self.deliver(number, to: shared)
    }

    /// The first signal received so far, if any.
    public var received: Int32? { shared.state.withLock { $0.first } }

    /// A new stream of the first stop request, independent of ``signals`` and of other streams
    /// (cancelling a task that iterates one ends only that one).
    public func stream() -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        let first = shared.state.withLock { state -> Int32? in
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
