import Foundation
import Testing

/// SPEC §6 rate limits: header-driven throttling runs at the limit with almost no 429s.
@Suite(.serialized) struct RateLimitTests {
    @Test func aJobRunsAtTheRateLimitWithAlmostNo429s() async throws {
        let limit = 600.0  // requests per minute: 10 a second once the first minute's bucket is spent
        let sim = try await Simulator(scenario: #"{"rate_limits":{"requests_per_minute":600,"input_tokens_per_minute":40000}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(2000), to: dir + "/in.jsonl")
        let result = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", "claude-haiku-4-5",
             "--concurrency", "16", "--progress", "none", "--summary", dir + "/summary.json"],
            environment: sim.environment)
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        let stats = try await sim.stats()
        let rateLimited = stats.by_status["429"] ?? 0
        #expect(Double(rateLimited) <= 0.01 * 2000, "\(rateLimited) responses were 429")

        // Accepted requests per second, from the simulator's own counters, after the first 10 s
        // (the last, partial second left out): at least 85 % of what the limit allows.
        let perSecond = try await acceptedPerSecond(sim)
        let seconds = perSecond.keys.sorted()
        let steady = seconds.filter { $0 >= seconds.first! + 10 && $0 < seconds.last! }
        let accepted = steady.reduce(0) { $0 + perSecond[$1]! }
        let rate = Double(accepted) / Double(max(1, steady.count))
        #expect(rate >= 0.85 * limit / 60, "accepted \(rate)/s against a limit of \(limit / 60)/s")
        #expect(rate <= 1.05 * limit / 60)

        let summary = try String(contentsOfFile: dir + "/summary.json", encoding: .utf8)
        #expect(summary.contains("\"requests\" : 600"))
    }

    private func acceptedPerSecond(_ sim: Simulator) async throws -> [Int: Int] {
        struct Stats: Decodable { var accepted_per_second: [String: Int] }
        let data = try await sim.rawStats()
        let stats = try JSONDecoder().decode(Stats.self, from: data)
        return Dictionary(uniqueKeysWithValues: stats.accepted_per_second.map { (Int($0.key)!, $0.value) })
    }
}
