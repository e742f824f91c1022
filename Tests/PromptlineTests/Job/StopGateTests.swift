import Testing

@testable import Promptline

@Suite("StopGate")
struct StopGateTests {
    /// A clock whose sleeps never end by themselves: only a stop (cancellation) ends them.
    struct NeverClock: Clock {
        var now: ContinuousClock.Instant { ContinuousClock.now }
        var minimumResolution: Duration { .zero }
        func sleep(until deadline: ContinuousClock.Instant, tolerance: Duration?) async throws {
            let stream = AsyncStream<Never> { _ in }
            for await _ in stream {}
            try Task.checkCancellation()
        }
    }

    @Test func aGuardedWaitReturnsItsValueWhileTheGateIsOpen() async throws {
        let gate = StopGate()
        #expect(try await gate.guarding { 42 } == 42)
        #expect(!gate.isStopped)
    }

    @Test func stoppingEndsAWaitThatWouldNeverEndWithCancellation() async throws {
        let gate = StopGate()
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                await #expect(throws: CancellationError.self) {
                    try await gate.guarding { try await NeverClock().sleep(for: .seconds(3600)) }
                }
            }
            group.addTask { gate.stop() }
            try? await group.waitForAll()
        }
        #expect(gate.isStopped)
    }

    @Test func aWaitAfterTheStopEndsAtOnce() async throws {
        let gate = StopGate()
        gate.stop()
        gate.stop()
        await #expect(throws: CancellationError.self) {
            try await gate.guarding { try await NeverClock().sleep(for: .seconds(3600)) }
        }
    }

    @Test func anErrorOfTheOperationPassesThrough() async throws {
        struct Failure: Error {}
        await #expect(throws: Failure.self) { try await StopGate().guarding { () async throws -> Int in throw Failure() } }
    }
}
