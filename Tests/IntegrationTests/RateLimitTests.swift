import Foundation
import Testing

@testable import Promptline

/// SPEC §6 rate limits: header-driven throttling runs at the limit with almost no 429s, for each model
/// on its own limits.
@Suite(.reportsFailures) struct RateLimitTests {
    @Test(.timeLimit(.minutes(3))) func aJobRunsAtTheRateLimitWithAlmostNo429s() async throws {
        let limit = 600.0  // requests per minute: 10 a second once the first minute's bucket is spent
        let sim = try await Simulator(scenario: #"{"rate_limits":{"requests_per_minute":600,"input_tokens_per_minute":40000}}"#)
        let dir = Fixtures.directory()
        // 600 in the first minute's bucket, then 300 more at 10 a second: 30 s at the limit.
        try Fixtures.write(Fixtures.records(900), to: dir + "/in.jsonl")
        let result = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", "claude-haiku-4-5",
             "--concurrency", "16", "--progress", "none", "--summary", dir + "/summary.json"],
            environment: sim.environment, timeout: .seconds(170))
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        let stats = try await sim.stats()
        let rateLimited = stats.by_status["429"] ?? 0
        #expect(Double(rateLimited) <= 0.01 * 900, "\(rateLimited) responses were 429")

        // Accepted requests per second, from the simulator's own counters, over the last 10 whole
        // seconds of the run (the first bucket long spent): at least 85 % of what the limit allows.
        let rate = try await steadyRate(sim, model: nil)
        #expect(rate >= 0.85 * limit / 60, "accepted \(rate)/s against a limit of \(limit / 60)/s")
        #expect(rate <= 1.05 * limit / 60)

        // The limit the job learned from the headers, read from the summary's JSON (not its layout).
        #expect(try learnedRequestLimits(dir + "/summary.json") == ["claude-haiku-4-5": 600])
    }

    /// Issue 9: two models with different limits (300 and 900 requests a minute), records mixed: each
    /// model has its own limiter and its own 429 pause, so both run at their limit and 429s stay rare.
    @Test(.timeLimit(.minutes(3))) func eachModelRunsAtItsOwnLimit() async throws {
        let slow = "claude-sonnet-4-5", fast = "claude-haiku-4-5"
        let sim = try await Simulator(
            scenario: #"{"model_rate_limits":{"claude-sonnet-4-5":{"requests_per_minute":300},"claude-haiku-4-5":{"requests_per_minute":900}}}"#)
        let dir = Fixtures.directory()
        // One record in four for the slow model: each model has 20 s of work beyond its first bucket.
        let lines = (0..<1600).map { index in
            #"{"id":"r\#(index)","prompt":"question \#(index)","model":"\#(index % 4 == 0 ? slow : fast)"}"#
        }
        try Fixtures.write(lines, to: dir + "/in.jsonl")
        let result = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", fast,
             "--concurrency", "32", "--progress", "none", "--summary", dir + "/summary.json"],
            environment: sim.environment, timeout: .seconds(170))
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        let stats = try await sim.stats()
        let rateLimited = stats.by_status["429"] ?? 0
        #expect(Double(rateLimited) <= 0.005 * 1600, "\(rateLimited) responses were 429")
        for (model, limit) in [(slow, 300.0), (fast, 900.0)] {
            let rate = try await steadyRate(sim, model: model)
            #expect(rate >= 0.85 * limit / 60, "\(model) accepted \(rate)/s against a limit of \(limit / 60)/s")
        }
        #expect(try learnedRequestLimits(dir + "/summary.json") == [slow: 300, fast: 900])
    }

    /// The requests-per-minute limit the job learned for each model, from `--summary`'s JSON.
    private func learnedRequestLimits(_ path: String) throws -> [String: Int] {
        let summary = try JSONDecoder().decode(JobSummary.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        return (summary.rateLimitsByModel ?? [:]).compactMapValues { $0.limits["requests"] }
    }

    /// Accepted per second over the last 10 whole seconds of the model's run (its last, partial
    /// second left out), when the first minute's bucket is long spent. Measured from the end, not
    /// from the start: how long the first bucket takes to spend depends on the machine's load.
    private func steadyRate(_ sim: Simulator, model: String?) async throws -> Double {
        struct Stats: Decodable {
            var accepted_per_second: [String: Int]
            var accepted_per_second_by_model: [String: [String: Int]]
        }
        let stats = try JSONDecoder().decode(Stats.self, from: try await sim.rawStats())
        let all = Dictionary(uniqueKeysWithValues: stats.accepted_per_second.map { (Int($0.key)!, $0.value) })
        let counts = model.map { stats.accepted_per_second_by_model[$0] ?? [:] } ?? stats.accepted_per_second
        let perSecond = Dictionary(uniqueKeysWithValues: counts.map { (Int($0.key)!, $0.value) })
        let start = all.keys.min()!
        let end = perSecond.keys.max()!
        let steady = (end - 10)..<end
        guard steady.lowerBound > start else { return 0 }  // a run shorter than the window fails the test
        return Double(steady.reduce(0) { $0 + perSecond[$1, default: 0] }) / Double(steady.count)
    }
}
