import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into a stream of stop requests for ``JobRunner/run(interrupts:)``.
///
/// The first signal is delivered on ``signals``; a second one exits the process at once with
/// 128 + the signal number (everything committed is already safe in the store).
public final class SignalWatcher: Sendable {
    /// The first stop request.
    public let signals: AsyncStream<Int32>
    private let sources: Mutex<[any DispatchSourceSignal]>

    public init(_ numbers: [Int32] = [SIGINT, SIGTERM]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        signals = stream
        let count = Mutex(0)
        var sources: [any DispatchSourceSignal] = []
        for number in numbers {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let seen = count.withLock { value in
                    value += 1
                    return value
                }
                if seen == 1 {
                    continuation.yield(number)
                } else {
                    FileHandle.standardError.write(Data("promptline: second signal; exiting now (committed results are safe)\n".utf8))
                    exit(ExitStatus.stopped(by: number).rawValue)
                }
            }
            source.resume()
            sources.append(source)
        }
        self.sources = Mutex(sources)
    }
}
