import Foundation
import PromptlineJSON
import Testing

@testable import PromptlineSim

/// How a simulated batch moves over time (docs/SIMULATOR.md, Message Batches): requests finishing
/// one by one, cancels, stalled batches, with the time passed in rather than waited for.
@Suite struct SimBatchProgressTests {
    static let created = 1_000_000.0

    /// A context at `now` seconds after `created`.
    static func context(_ scenario: SimBatchScenario, at now: Double) -> SimBatches.Context {
        SimBatches.Context(
            scenario: scenario, catalog: SimModelCatalog(names: Array(SimModelCatalog.snapshots.keys)), errorRates: [:],
            now: created + now, origin: "http://sim")
    }

    /// `count` requests `r0`, `r1`, … asking distinct questions; those in `overloaded` carry the 529 marker.
    static func items(_ count: Int, overloaded: Set<Int> = []) -> [SimBatches.Item] {
        (0..<count).map { index in
            let text = overloaded.contains(index) ? "[[sim:529]] q\(index)" : "q\(index)"
            return SimBatches.Item(customID: "r\(index)", params: JSONValue.requestBody(Array(messageBody(text).utf8))!)
        }
    }

    /// The result types of an ended batch's results, in their order (by custom_id).
    static func resultTypes(_ batches: SimBatches, _ id: String, _ context: SimBatches.Context) async throws -> [String] {
        let lines = try await batches.results(id, context: context).get()
        return String(decoding: lines, as: UTF8.self).split(separator: "\n").map {
            let line = (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            return (line?["result"] as? [String: Any])?["type"] as? String ?? ""
        }
    }

    static func billedRequests(_ batches: SimBatches, _ context: SimBatches.Context) async -> Int {
        await batches.currentBill(context: context).values.reduce(0) { $0 + $1.requests }
    }

    @Test func requestsFinishEvenlyOverTheProcessingTimeAndTheLastAtTheEnd() {
        let steady = SimBatchProgress(createdAt: 100, processing: 10, total: 4, course: .steady)
        #expect((0..<4).map { steady.finishTime(of: $0) } == [102.5, 105, 107.5, 110])
        #expect(steady.finishTime(of: 4) == nil)
        #expect(steady.endsAt == 110)
        // A third does not add back to 1 in floating point: the last request still ends the batch.
        let thirds = SimBatchProgress(createdAt: 0.1, processing: 0.7, total: 3, course: .steady)
        #expect(thirds.finishTime(of: 2) == thirds.endsAt)
        for course in [SimBatchProgress.Course.expiring, .stalled] {
            #expect(SimBatchProgress(createdAt: 100, processing: 10, total: 4, course: course).finishTime(of: 0) == nil)
        }
        #expect(SimBatchProgress(createdAt: 100, processing: 10, total: 4, course: .expiring).endsAt == 110)
        #expect(SimBatchProgress(createdAt: 100, processing: 10, total: 4, course: .stalled).endsAt == 100 + 86_400)
        var canceled = steady
        canceled.cancelInitiatedAt = 104
        canceled.cancelDelay = 0.5
        #expect(canceled.cutoff(now: 200) == 104)
        #expect(canceled.endsAt == 104.5)
        #expect(canceled.leftoverResult == "canceled")
        #expect(steady.leftoverResult == "expired")
    }

    @Test func countsStayProcessingUntilTheWholeBatchEndsWhileRequestsFinishAndAreBilled() async throws {
        let scenario = SimBatchScenario(processingMs: 10_000)
        let batches = SimBatches(promptCache: SimPromptCacheStore())
        let id = await batches.create(items: Self.items(10), context: Self.context(scenario, at: 0)).batch.id
        let half = Self.context(scenario, at: 5)
        let midway = try #require(await batches.retrieve(id, context: half))
        #expect(midway.processingStatus == "in_progress")
        #expect(midway.requestCounts == SimMessageBatch.Counts(processing: 10))
        #expect(midway.resultsURL == nil)
        #expect(await batches.currentStats(context: half).finishedByBatch[id] == 5)
        #expect(await batches.currentStats(context: half).billedByBatch[id] == 5)
        #expect(await Self.billedRequests(batches, half) == 5)
        // Just before the last request's finish time, nothing has ended yet.
        let almost = try #require(await batches.retrieve(id, context: Self.context(scenario, at: 9.999)))
        #expect(almost.requestCounts == SimMessageBatch.Counts(processing: 10))
        let end = Self.context(scenario, at: 10)
        let ended = try #require(await batches.retrieve(id, context: end))
        #expect(ended.processingStatus == "ended")
        #expect(ended.requestCounts == SimMessageBatch.Counts(succeeded: 10))
        #expect(ended.endedAt == SimMessageBatch.timestamp(Self.created + 10))
        #expect(try await Self.resultTypes(batches, id, end) == Array(repeating: "succeeded", count: 10))
        #expect(await Self.billedRequests(batches, end) == 10)
    }

    @Test func aCancelAt40PercentKeepsTheFinishedRequestsAndCancelsTheRest() async throws {
        let scenario = SimBatchScenario(processingMs: 10_000)
        let batches = SimBatches(promptCache: SimPromptCacheStore())
        // r1 meets an overload: it finished (errored), so it is neither canceled nor billed.
        let id = await batches.create(items: Self.items(10, overloaded: [1]), context: Self.context(scenario, at: 0)).batch.id
        let canceling = try await batches.cancel(id, context: Self.context(scenario, at: 4)).get()
        #expect(canceling.processingStatus == "canceling")
        #expect(canceling.cancelInitiatedAt == SimMessageBatch.timestamp(Self.created + 4))
        #expect(canceling.requestCounts == SimMessageBatch.Counts(processing: 10))
        // Until cancel_ms (default 500) has passed the batch stays canceling; a second cancel changes nothing.
        let again = try await batches.cancel(id, context: Self.context(scenario, at: 4.4)).get()
        #expect(again.processingStatus == "canceling")
        #expect(again.cancelInitiatedAt == canceling.cancelInitiatedAt)
        #expect(await batches.results(id, context: Self.context(scenario, at: 4.4)).failureStatus == 404)
        let later = Self.context(scenario, at: 60)
        let ended = try #require(await batches.retrieve(id, context: later))
        #expect(ended.processingStatus == "ended")
        #expect(ended.endedAt == SimMessageBatch.timestamp(Self.created + 4.5))
        #expect(ended.requestCounts == SimMessageBatch.Counts(succeeded: 3, errored: 1, canceled: 6))
        #expect(
            try await Self.resultTypes(batches, id, later) == ["succeeded", "errored", "succeeded", "succeeded"]
                + Array(repeating: "canceled", count: 6))
        let stats = await batches.currentStats(context: later)
        #expect(stats.cancels == 2)
        #expect(stats.cancelTimes == [id: Self.created + 4])
        #expect(stats.finishedByBatch[id] == 4)
        #expect(stats.canceledByBatch[id] == 6)
        #expect(stats.billedByBatch[id] == 3)
        #expect(await Self.billedRequests(batches, later) == 3)
    }

    @Test func anEndedBatchCannotBeCanceledAndAnUnknownOneIsNotFound() async throws {
        let scenario = SimBatchScenario(processingMs: 1_000)
        let batches = SimBatches(promptCache: SimPromptCacheStore())
        let id = await batches.create(items: Self.items(2), context: Self.context(scenario, at: 0)).batch.id
        let late = await batches.cancel(id, context: Self.context(scenario, at: 1))
        #expect(late.failureStatus == 400)
        #expect(await batches.cancel("msgbatch_nope", context: Self.context(scenario, at: 1)).failureStatus == 404)
        let stats = await batches.currentStats(context: Self.context(scenario, at: 1))
        #expect(stats.cancelTimes.isEmpty)
        #expect(stats.canceledByBatch.isEmpty)
        #expect(try await Self.resultTypes(batches, id, Self.context(scenario, at: 1)) == ["succeeded", "succeeded"])
    }

    @Test func aStalledBatchNeverEndsUntilCanceledAndThenHasNothingSucceeded() async throws {
        let scenario = SimBatchScenario(processingMs: 1_000, cancelMs: 2_000, stallFirst: 1)
        let batches = SimBatches(promptCache: SimPromptCacheStore())
        let stalled = await batches.create(items: Self.items(5), context: Self.context(scenario, at: 0)).batch.id
        let moving = await batches.create(items: Self.items(5), context: Self.context(scenario, at: 0)).batch.id
        let hourLater = Self.context(scenario, at: 3_600)
        #expect(await batches.retrieve(moving, context: hourLater)?.requestCounts == SimMessageBatch.Counts(succeeded: 5))
        let still = try #require(await batches.retrieve(stalled, context: hourLater))
        #expect(still.processingStatus == "in_progress")
        #expect(still.requestCounts == SimMessageBatch.Counts(processing: 5))
        #expect(await batches.currentStats(context: hourLater).finishedByBatch[stalled] == 0)
        _ = try await batches.cancel(stalled, context: hourLater).get()
        #expect(await batches.retrieve(stalled, context: Self.context(scenario, at: 3_601.999))?.processingStatus == "canceling")
        let ended = try #require(await batches.retrieve(stalled, context: Self.context(scenario, at: 3_602)))
        #expect(ended.requestCounts == SimMessageBatch.Counts(canceled: 5))
        let stats = await batches.currentStats(context: Self.context(scenario, at: 3_602))
        #expect(stats.billedByBatch == [stalled: 0, moving: 5])
        #expect(stats.canceledByBatch == [stalled: 5])
    }

    @Test func anUncanceledStalledBatchExpiresAfter24Hours() async throws {
        let scenario = SimBatchScenario(stallFirst: 1)
        let batches = SimBatches(promptCache: SimPromptCacheStore())
        let id = await batches.create(items: Self.items(3), context: Self.context(scenario, at: 0)).batch.id
        #expect(await batches.retrieve(id, context: Self.context(scenario, at: 86_399))?.processingStatus == "in_progress")
        let expired = try #require(await batches.retrieve(id, context: Self.context(scenario, at: 86_400)))
        #expect(expired.requestCounts == SimMessageBatch.Counts(expired: 3))
        #expect(await Self.billedRequests(batches, Self.context(scenario, at: 86_400)) == 0)
    }

    @Test func aCachedPrefixIsWrittenAsOfTheRequestsFinishTimeNotWhenTheBatchIsLookedAt() async throws {
        let scenario = SimBatchScenario(processingMs: 10_000, cacheHitRate: 1)
        let store = SimPromptCacheStore()
        let batches = SimBatches(promptCache: store)
        let shared = String(repeating: "Shared context. ", count: 1280)
        let params =
            #"{"model":"claude-sonnet-4-5","max_tokens":50,"system":[{"type":"text","text":"\#(shared)","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"one"}]}"#
        let item = SimBatches.Item(customID: "a", params: JSONValue.requestBody(Array(params.utf8))!)
        let id = await batches.create(items: [item], context: Self.context(scenario, at: 0)).batch.id
        // Looked at an hour later: its 5-minute entry, written at its finish (10 s), has expired by then.
        _ = await batches.retrieve(id, context: Self.context(scenario, at: 3_600))
        let prompt = try #require(try SimCachePrompt.analyze(item.params, model: "claude-sonnet-4-5-20250929").get())
        let atFinish = store.lookup(prompt, inputTokens: 10_000, reader: .batch(id: "other", readsOwnBatch: false), now: Self.created + 11)
        #expect(atFinish.usage(outputTokens: 1).cacheReadInputTokens > 0, "the entry was not written at the finish time")
        let afterTTL = store.lookup(
            prompt, inputTokens: 10_000, reader: .batch(id: "other", readsOwnBatch: false), now: Self.created + 3_600)
        #expect(afterTTL.usage(outputTokens: 1).cacheReadInputTokens == 0)
    }
}

extension Result {
    /// The HTTP status of a failure, nil on success.
    fileprivate var failureStatus: Int? {
        if case .failure(let error) = self { return (error as? SimAPIError)?.status }
        return nil
    }
}
