import Synchronization
import Testing

@testable import Promptline

@Suite struct KeyExclusionTests {
    /// How many bodies run at once per key, and the most seen.
    final class Tracker: Sendable {
        let state = Mutex((running: [RequestKey: Int](), most: [RequestKey: Int]()))
    }

    @Test func tasksOnOneKeyRunOneAtATimeAndOtherKeysDoNotWait() async throws {
        let exclusion = KeyExclusion()
        let tracker = Tracker()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                let key: RequestKey = index % 2 == 0 ? "a" : "b"
                group.addTask {
                    try await exclusion.run(key) {
                        tracker.state.withLock {
                            $0.running[key, default: 0] += 1
                            $0.most[key] = max($0.most[key] ?? 0, $0.running[key]!)
                        }
                        await Task.yield()
                        tracker.state.withLock { $0.running[key]! -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(tracker.state.withLock { $0.most } == ["a": 1, "b": 1])
    }

    @Test func aFailingBodyStillHandsTheKeyOn() async throws {
        struct Failure: Error {}
        let exclusion = KeyExclusion()
        await #expect(throws: Failure.self) { try await exclusion.run("k") { throw Failure() } }
        #expect(try await exclusion.run("k") { 7 } == 7)
    }
}
