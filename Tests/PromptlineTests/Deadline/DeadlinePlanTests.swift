import Testing

@testable import Promptline

@Suite struct DeadlinePlanTests {
    /// The setting: Messages at 1,200 requests a minute, 50 ms, concurrency 64.
    static let capacity = MessagesCapacity(
        unknown: .init(requestsPerMinute: 1200, latency: 0.05, inputTokensPerRecord: 20), defaultModel: nil, concurrency: 64)

    @Test func messagesTimeIsTheSlowestOfConcurrencyAndEachLimitAfterAFullBucket() {
        #expect(Self.capacity.seconds(records: 0) == 0)
        #expect(abs(Self.capacity.seconds(records: 3000) - 90) < 1e-9, "1,200 at once, then 20 a second")
        #expect(abs(Self.capacity.seconds(records: 640) - 0.5) < 1e-9, "within the bucket: records × latency / concurrency")
        let tokens = MessagesCapacity(
            unknown: .init(inputTokensPerMinute: 60_000, latency: 0.05, inputTokensPerRecord: 100), defaultModel: nil, concurrency: 64)
        #expect(abs(tokens.seconds(records: 1200) - 60) < 1e-9)
    }

    @Test func eachModelsRecordsWaitForThatModelsLimitsOnly() {
        // Remembered: haiku at 1,200 requests a minute, opus at 60; the job's records are 3 haiku to 1 opus.
        var capacity = MessagesCapacity(
            models: [
                "haiku": .init(requestsPerMinute: 1200, latency: 0.05),
                "opus": .init(requestsPerMinute: 60, latency: 0.05),
            ],
            unknown: .init(latency: 2), defaultModel: "haiku", concurrency: 64)
        // Before any record is seen, the default model's figures: 3,000 records at 1,200 a minute.
        #expect(abs(capacity.seconds(records: 3000) - 90) < 1e-9)
        for index in 0..<400 { capacity.noteRecord(model: index % 4 == 3 ? "opus" : "haiku", bodyBytes: 400) }
        // 750 of 3,000 are opus's: 60 at once, then 1 a second; haiku's 2,250 take 52.5 s.
        #expect(abs(capacity.seconds(records: 3000) - 690) < 1e-9)
        // A model nothing is known of is assumed unlimited at the default latency: the concurrency bound.
        var unknown = MessagesCapacity(
            models: ["haiku": .init(requestsPerMinute: 1200, latency: 0.05)], unknown: .init(latency: 2), defaultModel: "haiku",
            concurrency: 64)
        unknown.noteRecord(model: "sonnet", bodyBytes: 400)
        #expect(abs(unknown.seconds(records: 3200) - 100) < 1e-9, "3,200 × 2 s ÷ 64")
    }

    @Test func withoutAPaceAndNoSafeSwitchTheProbeComesAtAQuarterOfTheTime() {
        let plan = DeadlinePlan(start: 0, deadline: 70, capacity: Self.capacity, pollInterval: 1)
        let batches = [DeadlinePlan.OpenBatch(createdAt: 0, requests: 3000)]
        #expect(plan.decide(now: 1, batches: batches, leftovers: 0, probeOpen: true) == .wait(until: 17.5))
        #expect(plan.decide(now: 17.5, batches: batches, leftovers: 0, probeOpen: true) == .probe)
    }

    @Test func aMeasuredPaceMovesTheSwitchToTheLatestMomentThatStillMeetsTheDeadline() throws {
        var plan = DeadlinePlan(start: 0, deadline: 70, capacity: Self.capacity, pollInterval: 1)
        // The probe: 60 requests, 10 finished 15 s after creation (a batch done in 90 s); its cancel took 2 s.
        plan.measured(finished: 10, of: 60, elapsed: 15, overhead: 2)
        let batches = [DeadlinePlan.OpenBatch(createdAt: 0, requests: 2940)]
        let switchAt = plan.switchTime(now: 20, batches: batches, leftovers: 50)
        #expect(switchAt.feasible)
        // Late, but with time for the cancel, the rest through Messages and the margin.
        #expect(switchAt.time > 55 && switchAt.time < 64)
        let left = plan.remaining(at: switchAt.time, of: batches) + 50
        #expect(switchAt.time + 2 + Self.capacity.seconds(records: left) + plan.margin <= 70)
        #expect(plan.decide(now: 20, batches: batches, leftovers: 50, probeOpen: false) == .wait(until: switchAt.time))
        #expect(plan.decide(now: switchAt.time, batches: batches, leftovers: 50, probeOpen: false) == .switchNow)
    }

    @Test func aBatchThatDoesNotMoveIsLeftAtOnce() {
        var plan = DeadlinePlan(start: 0, deadline: 30, capacity: Self.capacity, pollInterval: 1)
        plan.measured(finished: 0, of: 20, elapsed: 7.5, overhead: 1)
        #expect(plan.decide(now: 8, batches: [.init(createdAt: 0, requests: 980)], leftovers: 20, probeOpen: false) == .switchNow)
    }

    @Test func aSafeSwitchBeforeTheProbeComesFirst() {
        // 1,000 records fit in the bucket: the worst case (no progress at all) can wait until
        // shortly before the deadline, but the probe at a quarter of the time comes first.
        let plan = DeadlinePlan(start: 0, deadline: 30, capacity: Self.capacity, pollInterval: 1)
        let batches = [DeadlinePlan.OpenBatch(createdAt: 0, requests: 1000)]
        #expect(plan.decide(now: 1, batches: batches, leftovers: 0, probeOpen: true) == .wait(until: 7.5))
        // A tight deadline whose worst case must switch before the probe switches then.
        let tight = DeadlinePlan(start: 0, deadline: 12, capacity: Self.capacity, pollInterval: 1)
        #expect(tight.decide(now: 0, batches: batches, leftovers: 0, probeOpen: true) == .wait(until: 2))
    }

    @Test func whenNoMomentKeepsTheWholeMarginTheSwitchThatFinishesSoonestIsChosen() {
        var plan = DeadlinePlan(start: 0, deadline: 70, capacity: Self.capacity, pollInterval: 1)
        plan.measured(finished: 10, of: 60, elapsed: 17.5, overhead: 2)  // a batch done in 105 s
        let batches = [DeadlinePlan.OpenBatch(createdAt: 0, requests: 2940)]
        let switchAt = plan.switchTime(now: 20, batches: batches, leftovers: 50)
        #expect(!switchAt.feasible)
        let finish = switchAt.time + 2 + Self.capacity.seconds(records: plan.remaining(at: switchAt.time, of: batches) + 50)
        #expect(finish < 70, "the deadline is still met, with less than the margin")
        #expect(switchAt.time > 55)
    }

    @Test func aStuckJobSwitchesAtOnce() {
        var plan = DeadlinePlan(start: 0, deadline: 70, capacity: Self.capacity, pollInterval: 1)
        plan.measured(finished: 1, of: 100, elapsed: 10, overhead: 2)  // 0.1 % a second: nearly stuck
        let switchAt = plan.switchTime(now: 10, batches: [.init(createdAt: 0, requests: 5000)], leftovers: 0)
        #expect(!switchAt.feasible)
        #expect(switchAt.time == 10, "waiting only makes a stuck job later")
    }
}
