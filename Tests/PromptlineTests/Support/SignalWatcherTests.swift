import Foundation
import Testing

@testable import Promptline

@Suite("SignalWatcher")
struct SignalWatcherTests {
    @Test func theFirstSignalReachesEveryStreamEvenOneMadeAfterIt() async throws {
        let watcher = SignalWatcher()
        let early = watcher.stream()
        #expect(watcher.received == nil)
        watcher.deliver(SIGUSR2)
        var iterator = early.makeAsyncIterator()
        #expect(await iterator.next() == SIGUSR2)
        #expect(watcher.received == SIGUSR2)
        var late = watcher.stream().makeAsyncIterator()
        #expect(await late.next() == SIGUSR2)
        var first = watcher.signals.makeAsyncIterator()
        #expect(await first.next() == SIGUSR2)
    }

    @Test func racingReturnsTheOperationsValueWhenNoSignalCame() async throws {
        let watcher = SignalWatcher()
        let result = try await watcher.racing { 7 }
        #expect(try result.get() == 7)
    }

    @Test(.timeLimit(.minutes(1)))
    func aSignalSentWhileWatchingReachesTheWatcher() async throws {
        let received = try await SignalWatcher.watching([.sigusr1]) { watcher in
            kill(getpid(), SIGUSR1)
            var iterator = watcher.signals.makeAsyncIterator()
            return await iterator.next()
        }
        #expect(received == SIGUSR1)
    }
}
