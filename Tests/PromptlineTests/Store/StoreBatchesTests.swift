import Foundation
import Testing

@testable import Promptline

/// The store's Message Batches tables: intents, ids, planning, results.
@Suite struct StoreBatchesTests {
    let directory = TemporaryDirectory()

    private func entry(_ n: Int) -> BatchEntry {
        BatchEntry(customID: "c\(n)", key: RequestKey(text: "k\(n)"), model: "claude-haiku-4-5", messagesKey: "mk\(n)")
    }

    private let message = Array(
        #"{"id":"msg","type":"message","model":"claude-haiku-4-5","content":[],"usage":{"input_tokens":1,"output_tokens":2}}"#.utf8)

    @Test func anIntentIsOpenUntilCollectedAndItsKeysAreLeftOutOfNewBatches() async throws {
        let store = try Store(path: directory.file("s.db"))
        try await store.recordBatchIntent(localID: "L1", entries: [entry(1), entry(2)], bodyBytes: 100)
        var open = try await store.openBatches()
        #expect(open.map(\.state) == [.intent])
        #expect(open.first?.requestCount == 2)
        #expect(store.mayResolve(try #require(open.first)))
        #expect(try await store.batchPlanning(keys: ["k1", "k2", "k3"], retryErroredBefore: nil).skip == ["k1", "k2"])

        try await store.recordBatchSubmitted(localID: "L1", batchID: "msgbatch_1")
        open = try await store.openBatches()
        #expect(open.first?.batchID == "msgbatch_1")
        #expect(try await store.knownBatchIDs() == ["msgbatch_1"])

        let stored = try await store.applyBatchResults(
            localID: "L1",
            [
                BatchResultEntry(
                    customID: "c1",
                    outcome: .succeeded(message: message, model: "claude-haiku-4-5", tokens: TokenCount(input: 1, output: 2))),
                BatchResultEntry(customID: "c2", outcome: .retry(type: "expired")),
                BatchResultEntry(customID: "not-ours", outcome: .retry(type: "expired")),
            ])
        try await store.markBatchCollected(localID: "L1")
        #expect(stored.count == 1)
        #expect(try await store.openBatches().isEmpty)
        let plan = try await store.batchPlanning(keys: ["k1", "k2"], retryErroredBefore: nil)
        #expect(plan.skip == ["k1"], "an answered key went into a new batch, or an expired one did not")
        #expect(plan.rounds["k2"] == ["expired"])
        let answer = try #require(try await store.answers(for: ["k1"])["k1"])
        #expect(answer.state == .succeeded)
        #expect(answer.tier == .primary)
        #expect(String(decoding: answer.servedBy, as: UTF8.self).hasSuffix(#""backend":"batches"}"#))
    }

    @Test func aBatchAnswerKeepsItsCacheTokensAndStatusPricesItAtHalf() async throws {
        let store = try Store(path: directory.file("s.db"))
        try await store.recordBatchIntent(localID: "L1", entries: [entry(1)], bodyBytes: 10)
        try await store.recordBatchSubmitted(localID: "L1", batchID: "msgbatch_1")
        let tokens = TokenCount(input: 100, output: 200, cacheCreation: 4000, cacheCreation1h: 4000, cacheRead: 0)
        _ = try await store.applyBatchResults(
            localID: "L1",
            [
                BatchResultEntry(customID: "c1", outcome: .succeeded(message: message, model: "claude-haiku-4-5", tokens: tokens))
            ])
        let answer = try #require(try await store.answers(for: ["k1"])["k1"])
        #expect(answer.cacheCreationTokens == 4000 && answer.cacheCreation1hTokens == 4000)
        let report = try await StatusReport.make(store: store, storePath: "s.db", output: nil)
        // Haiku 4.5 at the batch price: (100 in × $1 + 200 out × $5 + 4,000 written for 1 h × $2) / 2.
        let listPrice: Double = 100 * 1 + 200 * 5 + 4000 * 2
        let expected = listPrice / 2 / 1_000_000
        #expect(abs(report.costUSD - expected) < 1e-12)
        // Without caching the 4,000 prompt tokens were plain input: caching cost $0.002 more here (a write never read).
        let saved: Double = 4000 * 1 - 4000 * 2
        #expect(abs(report.cacheSavedUSD - saved / 2 / 1_000_000) < 1e-12)
    }

    @Test func aLaterRoundCarriesTheTrailAndNeverRewritesASucceededAnswer() async throws {
        let store = try Store(path: directory.file("s.db"))
        try await store.recordBatchIntent(localID: "L1", entries: [entry(1)], bodyBytes: 10)
        _ = try await store.applyBatchResults(localID: "L1", [BatchResultEntry(customID: "c1", outcome: .retry(type: "overloaded_error"))])
        try await store.markBatchCollected(localID: "L1")
        try await store.recordBatchIntent(localID: "L2", entries: [entry(1)], bodyBytes: 10)
        _ = try await store.applyBatchResults(
            localID: "L2",
            [
                BatchResultEntry(
                    customID: "c1",
                    outcome: .succeeded(message: message, model: "claude-haiku-4-5", tokens: TokenCount(input: 1, output: 2)))
            ])
        let answer = try #require(try await store.answers(for: ["k1"])["k1"])
        #expect(
            String(decoding: answer.servedBy, as: UTF8.self)
                == #"{"model":"claude-haiku-4-5","tier":"primary","attempts":2,"errors":["overloaded_error"],"backend":"batches"}"#)
        let again = try await store.applyBatchResults(
            localID: "L2",
            [
                BatchResultEntry(customID: "c1", outcome: .failed(errorBody: Array("{}".utf8), errorType: "invalid_request_error"))
            ])
        #expect(again.isEmpty)
        #expect(try await store.answers(for: ["k1"])["k1"] == answer)
    }

    @Test func aDroppedIntentFreesItsKeysAndAGoneBatchToo() async throws {
        let store = try Store(path: directory.file("s.db"))
        try await store.recordBatchIntent(localID: "L1", entries: [entry(1)], bodyBytes: 10)
        try await store.dropBatchIntent(localID: "L1")
        #expect(try await store.batchPlanning(keys: ["k1"], retryErroredBefore: nil).skip.isEmpty)
        try await store.recordBatchIntent(localID: "L2", entries: [entry(1)], bodyBytes: 10)
        try await store.recordBatchSubmitted(localID: "L2", batchID: "msgbatch_2")
        try await store.markBatchGone(localID: "L2")
        let plan = try await store.batchPlanning(keys: ["k1"], retryErroredBefore: nil)
        #expect(plan.skip.isEmpty)
        #expect(plan.rounds["k1"] == ["batch_gone"], "a gone batch does not count towards the key's rounds")
        #expect(try await store.openBatches().isEmpty)
    }

    @Test func aRequestTheResultsDoNotMentionGoesIntoTheNextBatchAndCountsARound() async throws {
        let store = try Store(path: directory.file("s.db"))
        try await store.recordBatchIntent(localID: "L1", entries: [entry(1), entry(2)], bodyBytes: 10)
        _ = try await store.applyBatchResults(
            localID: "L1",
            [
                BatchResultEntry(
                    customID: "c1",
                    outcome: .succeeded(message: message, model: "claude-haiku-4-5", tokens: TokenCount(input: 1, output: 2)))
            ])
        try await store.markBatchCollected(localID: "L1")
        let plan = try await store.batchPlanning(keys: ["k1", "k2"], retryErroredBefore: nil)
        #expect(plan.skip == ["k1"])
        #expect(plan.rounds["k2"] == ["missing_result"])
    }

    @Test func erroredAnswersGoIntoABatchAgainOnlyWhenRecordedBeforeTheRetryingRun() async throws {
        let store = try Store(path: directory.file("s.db"), wallClock: WallClock { Date(timeIntervalSince1970: 100) })
        try await store.recordBatchIntent(localID: "L1", entries: [entry(1)], bodyBytes: 10)
        _ = try await store.applyBatchResults(
            localID: "L1",
            [
                BatchResultEntry(customID: "c1", outcome: .failed(errorBody: Array("{}".utf8), errorType: "invalid_request_error"))
            ])
        try await store.markBatchCollected(localID: "L1")
        #expect(try await store.batchPlanning(keys: ["k1"], retryErroredBefore: nil).skip == ["k1"])
        #expect(try await store.batchPlanning(keys: ["k1"], retryErroredBefore: 150).skip.isEmpty)
        #expect(try await store.batchPlanning(keys: ["k1"], retryErroredBefore: 50).skip == ["k1"])
    }

    @Test func aKeyAnotherLiveProcessIsSendingIsLeftOutOfBatches() async throws {
        let path = directory.file("s.db")
        let sender = try Store(path: path)
        let batcher = try Store(path: path)
        #expect(try await sender.claim("k1", model: "m", messagesKey: "mk", retryErrored: false) == .claimed(interrupted: false))
        #expect(try await batcher.batchPlanning(keys: ["k1"], retryErroredBefore: nil).skip == ["k1"])
        #expect(try await sender.batchPlanning(keys: ["k1"], retryErroredBefore: nil).skip.isEmpty)
        try await sender.releaseLeases()
        #expect(try await batcher.batchPlanning(keys: ["k1"], retryErroredBefore: nil).skip.isEmpty)
    }

    @Test func aStoreOfSchemaTwoIsUpgradedWithTheBatchTables() async throws {
        let path = directory.file("s.db")
        do {
            let store = try Store(path: path)
            try await store.execute(
                "DROP TABLE batches; DROP TABLE batch_requests; UPDATE meta SET value = '2' WHERE name = 'schema_version'")
        }
        let store = try Store(path: path)
        try await store.recordBatchIntent(localID: "L1", entries: [entry(1)], bodyBytes: 10)
        #expect(try await store.openBatches().count == 1)
        #expect(try await store.status().batchesInFlight.count == 1)
    }
}
