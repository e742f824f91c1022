import Dispatch
import Foundation
import Testing

@testable import Promptline

/// Claims and answers that arrive together share one transaction, and each returns only once it is committed.
@Suite struct GroupCommitTests {
    let directory = TemporaryDirectory()

    private func answer(_ text: String) -> StoredAnswer {
        StoredAnswer(
            state: .succeeded, result: Array(text.utf8), servedBy: Array("{}".utf8), tier: .primary, model: "m",
            errorType: nil, inputTokens: 3, outputTokens: 5, attempts: 1)
    }

    @Test(.timeLimit(.minutes(1))) func writesArrivingWhileTheStoreIsBusyShareOneCommittedTransaction() async throws {
        let path = directory.file("s.db")
        let store = try Store(path: path)
        // Hold the store's queue (as a long commit would) while 40 claims arrive.
        let held = DispatchSemaphore(value: 0)
        store.executor.execute { held.wait() }
        try await withThrowingTaskGroup(of: ClaimOutcome.self) { group in
            for index in 0..<40 {
                group.addTask { try await store.claim("k\(index)", model: "m", messagesKey: "mk", retryErrored: false) }
            }
            while store.writes.pendingCount < 40 { await Task.yield() }
            held.signal()
            for try await outcome in group { #expect(outcome == .claimed(interrupted: false)) }
        }
        #expect(store.groupCommitFigures.transactions == 1)
        #expect(store.groupCommitFigures.writes == 40)
        // Committed: another connection sees every claim in flight.
        let other = try Store(path: path)
        #expect(try await other.claim("k7", model: "m", messagesKey: "mk", retryErrored: false) != .claimed(interrupted: false))
    }

    @Test(.timeLimit(.minutes(1))) func aClaimAndTheAnswerOfAnotherKeyInOneGroupBothCommit() async throws {
        let store = try Store(path: directory.file("s.db"))
        _ = try await store.claim("a", model: "m", messagesKey: "mk", retryErrored: false)
        let held = DispatchSemaphore(value: 0)
        store.executor.execute { held.wait() }
        async let completed = store.complete("a", answer: answer("A"))
        async let claimed = store.claim("b", model: "m", messagesKey: "mk", retryErrored: false)
        while store.writes.pendingCount < 2 { await Task.yield() }
        held.signal()
        #expect(try await completed == answer("A"))
        #expect(try await claimed == .claimed(interrupted: false))
        #expect(try await store.answers(for: ["a", "b"]).keys.sorted() == ["a"])
        #expect(store.groupCommitFigures.transactions == 2)
    }
}
