import Foundation
import Testing

@testable import Promptline

/// SPEC §6 rate limits: header-driven throttling runs at the limit with almost no 429s, for each model
/// on its own limits.
///
/// A job first spends each model's bucket (a minute's worth of requests) as fast as the machine
/// goes, then runs at the limit. How long the first part takes depends on the machine's load, so
/// the records come on the job's standard input for as long as needed: until every model will have
/// run `settlingSeconds` and then `steadySeconds` whole seconds with its bucket spent (from the
/// simulator's own counters), and the rate is measured on those last seconds.
@Suite(.reportsFailures) struct RateLimitTests {
    /// Whole seconds at the limit the rate is measured on, for each model.
    let steadySeconds = 10
    /// Seconds left out after the bucket was about spent, for what was left in it.
    let settlingSeconds = 4

    @Test(.timeLimit(.minutes(3))) func aJobRunsAtTheRateLimitWithAlmostNo429s() async throws {
        let limit = 600.0  // requests per minute: 10 a second once the first minute's bucket is spent
        let sim = try await Simulator(scenario: #"{"rate_limits":{"requests_per_minute":600,"input_tokens_per_minute":40000}}"#)
        let dir = Fixtures.directory()
        let records = Fixtures.records(5000)
        let (result, written) = try await runAtTheLimit(
            sim, dir, records: records, limits: [(nil, limit)], modelOf: { _ in "claude-haiku-4-5" }, model: "claude-haiku-4-5",
            concurrency: 16)
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        #expect(try Fixtures.lines(dir + "/out.jsonl").count == written)
        let stats = try await sim.stats()
        let rateLimited = stats.by_status["429"] ?? 0
        #expect(Double(rateLimited) <= 0.01 * Double(written), "\(rateLimited) responses were 429")

        // Accepted requests per second, from the simulator's own counters, over the last 10 whole
        // seconds, well after the first bucket was spent: at least 85 % of what the limit allows.
        let rate = try await steadyRate(sim, model: nil, perMinute: limit)
        #expect(rate >= 0.85 * limit / 60, "accepted \(rate)/s against a limit of \(limit / 60)/s")
        #expect(rate <= 1.05 * limit / 60, "accepted \(rate)/s against a limit of \(limit / 60)/s")

        // The limit the job learned from the headers, read from the summary's JSON (not its layout).
        #expect(try learnedRequestLimits(dir + "/summary.json") == ["claude-haiku-4-5": 600])
    }

    /// Issue 9: two models with different limits (300 and 900 requests a minute), records mixed: each
    /// model has its own limiter and its own 429 pause, so both run at their limit and 429s stay rare.
    @Test(.timeLimit(.minutes(3))) func eachModelRunsAtItsOwnLimit() async throws {
        let slow = "claude-sonnet-4-5", fast = "claude-haiku-4-5"
        let sim = try await Simulator(
            scenario:
                #"{"model_rate_limits":{"claude-sonnet-4-5":{"requests_per_minute":300},"claude-haiku-4-5":{"requests_per_minute":900}}}"#)
        let dir = Fixtures.directory()
        // One record in four for the slow model, as its limit is a third of the other's: both
        // models spend their bucket and run at their limit at once.
        let modelOf = { (index: Int) in index % 4 == 0 ? slow : fast }
        let records = (0..<8000).map { #"{"id":"r\#($0)","prompt":"question \#($0)","model":"\#(modelOf($0))"}"# }
        let (result, written) = try await runAtTheLimit(
            sim, dir, records: records, limits: [(slow, 300), (fast, 900)], modelOf: modelOf, model: fast, concurrency: 32)
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        #expect(try Fixtures.lines(dir + "/out.jsonl").count == written)
        let stats = try await sim.stats()
        let rateLimited = stats.by_status["429"] ?? 0
        #expect(Double(rateLimited) <= 0.005 * Double(written), "\(rateLimited) responses were 429")
        for (model, limit) in [(slow, 300.0), (fast, 900.0)] {
            let rate = try await steadyRate(sim, model: model, perMinute: limit)
            #expect(rate >= 0.85 * limit / 60, "\(model) accepted \(rate)/s against a limit of \(limit / 60)/s")
        }
        #expect(try learnedRequestLimits(dir + "/summary.json") == [slow: 300, fast: 900])
    }

    /// Issue 21: limits known before the first answer (remembered in the store from an earlier job,
    /// or given with `--rpm`) let a job send its whole `--concurrency` at once instead of a first
    /// round trip at a window of 10. Every request then hangs until the job is killed: with no answer
    /// the window cannot grow, so what the simulator receives is the window's start.
    @Test(.timeLimit(.minutes(3))) func limitsKnownBeforeTheFirstAnswerStartTheWindowAtTheConcurrency() async throws {
        let limits = #""rate_limits":{"requests_per_minute":6000}"#
        let sim = try await Simulator(scenario: "{\(limits)}")
        let dir = Fixtures.directory()
        let base = ["--model", "claude-haiku-4-5", "--concurrency", "24", "--progress", "none"]
        try Fixtures.write(Fixtures.records(30), to: dir + "/first.jsonl")
        let first = try await promptline(
            ["run", dir + "/first.jsonl", "-o", dir + "/first.out", "--db", dir + "/s.db"] + base, environment: sim.environment)
        #expect(first.status == 0, "\(first.stderr.suffix(1500))")

        try await sim.setScenario(#"{\#(limits),"error_rates":{"hang":1}}"#)
        try Fixtures.write(Fixtures.records(30, salt: "hung "), to: dir + "/hung.jsonl")
        for (store, flags) in [("s.db", [String]()), ("fresh.db", ["--rpm", "6000"])] {
            let before = try await sim.stats().requests
            let job = try ChildProcess(
                Binaries.promptline, ["run", dir + "/hung.jsonl", "-o", dir + "/\(store).out", "--db", dir + "/" + store] + base + flags,
                environment: sim.environment)
            try await sim.waitForRequests(atLeast: before + 24)
            job.kill9()
            _ = await job.wait()
        }
    }

    /// Runs `promptline run -` with `records` written to its standard input as it goes, until every
    /// model of `limits` (nil: all requests) has run long enough at its limit (`settlingSeconds`
    /// and `steadySeconds`, and two for a margin):
    /// records come in whole batches of 256 (the job reads its input 256 records at a time), always
    /// one batch ahead of what was sent; the input ends once the records unsent are enough, at the
    /// limits, to make up the seconds at the limit still wanting. Returns the result and how many
    /// records were written.
    private func runAtTheLimit(
        _ sim: Simulator, _ dir: String, records: [String], limits: [(model: String?, perMinute: Double)],
        modelOf: (Int) -> String, model: String, concurrency: Int
    ) async throws -> (CommandResult, Int) {
        let batch = 256
        let input = Pipe()
        let child = try ChildProcess(
            Binaries.promptline,
            [
                "run", "-", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model, "--concurrency", "\(concurrency)",
                "--progress", "none", "--summary", dir + "/summary.json",
            ],
            environment: sim.environment, input: input)
        // A job that ends early makes a write fail with EPIPE, where SIGPIPE would kill the test process.
        signal(SIGPIPE, SIG_IGN)
        var written = 0
        func write(upTo count: Int) throws {
            let end = min(count, records.count)
            guard end > written else { return }
            try input.fileHandleForWriting.write(contentsOf: Data(records[written..<end].map { $0 + "\n" }.joined().utf8))
            written = end
        }
        // Every model's first bucket, and a batch ahead.
        let buckets = Int(limits.reduce(0) { $0 + $1.perMinute })
        try write(upTo: (buckets + batch / 2 + batch - 1) / batch * batch)
        try await waitUntil("every model's seconds at its limit", within: .seconds(120)) {
            guard child.process.isRunning else { return true }  // ended early: the expectations say why
            let stats = try await sim.stats()
            if written - stats.requests < batch / 2 { try write(upTo: written + batch) }
            for (model, perMinute) in limits {
                let after = try await secondsAfterTheBucket(sim, model: model, perMinute: perMinute)
                guard !after.isEmpty else { return false }
                let sent = model.map { stats.by_model[$0]?.values.reduce(0, +) ?? 0 } ?? stats.requests
                let writtenForModel = model.map { model in (0..<written).count(where: { modelOf($0) == model }) } ?? written
                let secondsLeft = Double(writtenForModel - sent) / (perMinute / 60)
                if Double(after.count) + secondsLeft < Double(steadySeconds + settlingSeconds + 2) { return false }
            }
            return true
        }
        try input.fileHandleForWriting.close()
        return (await child.wait(), written)
    }

    /// Accepted per second over the last `steadySeconds` whole seconds of the model's run, which
    /// must come `settlingSeconds` after its bucket was about spent (0 when they do not).
    private func steadyRate(_ sim: Simulator, model: String?, perMinute: Double) async throws -> Double {
        let after = try await secondsAfterTheBucket(sim, model: model, perMinute: perMinute)
        #expect(after.count >= steadySeconds + settlingSeconds, "\(model ?? "all"): \(after.count) seconds after the first bucket")
        guard after.count >= steadySeconds + settlingSeconds else { return 0 }
        return Double(after.suffix(steadySeconds).reduce(0, +)) / Double(steadySeconds)
    }

    /// The limit the job learned for each model's requests, from `--summary`'s JSON.
    private func learnedRequestLimits(_ path: String) throws -> [String: Int] {
        let summary = try JSONDecoder().decode(JobSummary.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        return (summary.rateLimitsByModel ?? [:]).compactMapValues { $0.limits["requests"] }
    }

    /// Accepted requests in each whole second (of `model`, or all) after its first bucket was about
    /// spent, up to the last second counted, which is partial and left out. The bucket (`perMinute`
    /// requests, refilled by a 60th of that each second) is followed second by second from the
    /// simulator's counters; it counts as about spent under a tenth of its size (where the job's
    /// margin and the second's rounding leave it once the limit binds). What was left in it is used
    /// up in the next seconds: the rate is measured on the last seconds, well after.
    private func secondsAfterTheBucket(_ sim: Simulator, model: String?, perMinute: Double) async throws -> [Int] {
        struct Stats: Decodable {
            var accepted_per_second: [String: Int]
            var accepted_per_second_by_model: [String: [String: Int]]
        }
        let stats = try JSONDecoder().decode(Stats.self, from: try await sim.rawStats())
        let counts = model.map { stats.accepted_per_second_by_model[$0] ?? [:] } ?? stats.accepted_per_second
        let perSecond = Dictionary(uniqueKeysWithValues: counts.map { (Int($0.key)!, $0.value) })
        guard let first = perSecond.keys.min(), let last = perSecond.keys.max() else { return [] }
        var level = perMinute
        var after: [Int]?
        for second in first..<last {
            let count = perSecond[second, default: 0]
            after?.append(count)
            level = min(perMinute, level + perMinute / 60) - Double(count)
            if after == nil && level < perMinute / 10 { after = [] }
        }
        return after ?? []
    }
}
