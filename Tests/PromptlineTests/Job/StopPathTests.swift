import Foundation
import Synchronization
import Testing

@testable import Promptline

/// The job's one way to stop: the strongest cause wins, each kind is announced once with what the
/// job was doing, the gate closes, and the grace period starts at the stop.
@Suite("StopPath")
struct StopPathTests {
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func theStrongestCauseWinsAndEachKindIsAnnouncedOnceWithTheRequestsInFlight() {
        let lines = Lines()
        let path = StopPath(clock: TestTime().clock, gracePeriod: .seconds(10), announce: lines.append)
        path.requestsInFlight(1)
        path.requestsInFlight(1)
        #expect(!path.isStopping)
        path.stop(.job(JobStop(reason: .budget(5))))
        path.stop(.signal(SIGINT))
        path.stop(.signal(SIGTERM))
        path.stop(.job(JobStop(reason: .spendLimit)))
        #expect(path.isStopping && path.gate.isStopped)
        #expect(path.cause?.exitStatus == .interrupted)
        #expect(lines.all.count == 2)
        #expect(lines.all.last == "promptline: interrupted; finishing 2 requests in flight (up to 10 s), then stopping")
        #expect(throws: CancellationError.self) { try path.check() }
    }

    @Test func aStopDuringTheBatchesIsAnnouncedAsSuchAndQuietAnnouncesNothing() {
        let lines = Lines()
        let path = StopPath(clock: TestTime().clock, gracePeriod: .seconds(10), announce: lines.append)
        path.setActivity(.batches)
        path.stop(.signal(SIGTERM))
        #expect(lines.all == ["promptline: interrupted; batches already created keep running (they are paid work); a resume collects them"])

        let quiet = StopPath(clock: TestTime().clock, gracePeriod: .seconds(10), announce: nil)
        quiet.stop(.signal(SIGTERM))
        #expect(quiet.cause?.exitStatus == .terminated)
    }

    @Test func theGracePeriodRunsFromTheStopOnTheJobsClock() async throws {
        let time = TestTime()
        let path = StopPath(clock: time.clock, gracePeriod: .seconds(10), announce: nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { #expect(await path.graceOver()) }
            time.set(100)
            path.stop(.signal(SIGINT))
            try await group.waitForAll()
        }
        #expect(time.now() >= 110)
    }

    @Test func theGraceTimerOfABackendThatFinishedEndsWithoutAStop() async {
        let path = StopPath(clock: TestTime().clock, gracePeriod: .seconds(10), announce: nil)
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await path.graceOver() }
            group.cancelAll()
            #expect(await group.next() == false)
        }
        #expect(!path.isStopping)
    }

    @Test func aWaitEndsAtTheStopAndNothingStartsAfterIt() async throws {
        let path = StopPath(clock: JobClock(StopGateTests.NeverClock()), gracePeriod: .seconds(10), announce: nil)
        try path.check()
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await #expect(throws: CancellationError.self) { try await path.sleep(for: .seconds(3600)) }
            }
            group.addTask { path.stop(.job(JobStop(reason: .outage(after: .seconds(60))))) }
            try? await group.waitForAll()
        }
        await #expect(throws: CancellationError.self) { try await path.sleep(for: .seconds(1)) }
    }
}
