import Foundation
import Testing

/// SPEC §6 outages against the simulator, with the real binary: the breaker bounds what a down model
/// receives, and records wait (not fail) while every model is down. A suite of its own (split from
/// ReliabilityTests), not serialized (each test has its own simulator), so that the two longest
/// reliability runs overlap each other and the other suites.
@Suite(.timeLimit(.minutes(3)), .reportsFailures) struct OutageTests {
    let primary = "claude-sonnet-4-5"
    let fallback = "claude-haiku-4-5"

    private func arguments(_ dir: String, _ extra: [String]) -> [String] {
        ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", primary, "--progress", "none"] + extra
    }

    private func run(_ sim: Simulator, _ dir: String, _ extra: [String]) async throws -> CommandResult {
        try await promptline(arguments(dir, extra), environment: sim.environment)
    }

    private func outputLines(_ path: String) throws -> [[String: Any]] {
        try Fixtures.lines(path).map(Fixtures.json)
    }

    private func tier(_ line: [String: Any]) -> String? { (line["served_by"] as? [String: Any])?["tier"] as? String }
    private func type(_ line: [String: Any]) -> String? { (line["result"] as? [String: Any])?["type"] as? String }

    @Test func aPrimaryOutageGoesToTheFallbackAndTheBreakerBoundsWhatThePrimaryReceives() async throws {
        let concurrency = 32
        let sim = try await Simulator(scenario: #"{"latency":{"fixed_ms":100}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(6000), to: dir + "/in.jsonl")
        let child = try ChildProcess(
            Binaries.promptline,
            arguments(dir, ["--fallback-model", fallback, "--concurrency", "\(concurrency)", "--breaker-max-break", "4"]),
            environment: sim.environment)
        // The outage starts once the job runs (however long a loaded machine takes to start it): a
        // window counts from the moment its scenario is set. 10 s of 320 records/s at most leave
        // thousands of records for the primary's return.
        try await sim.waitForRequests(atLeast: 200)
        try await sim.setScenario(
            #"{"latency":{"fixed_ms":100},"outages":[{"model":"claude-sonnet-4-5","start_s":0,"end_s":10,"kind":"529"}]}"#)
        let result = await child.wait()
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        let stats = try await sim.stats()
        let refused = stats.by_model[primary]?["529"] ?? 0
        // In flight when it opened, the failures that opened it, and two probes per break (breaks of 2 to 4 s over 10 s).
        let bound = concurrency + 5 + 2 * 4
        #expect(refused > 0)
        #expect(refused <= bound, "the primary received \(refused) requests during the outage")
        let lines = try outputLines(dir + "/out.jsonl")
        #expect(lines.count == 6000)
        #expect(lines.allSatisfy { type($0) == "succeeded" })
        let tiers = lines.map(tier)
        #expect(tiers.contains("fallback"))
        // Records are dispatched well ahead of the output (a waiting record holds no request slot), so the
        // primary's return shows as primary answers after the first fallback one, not on the very last line.
        let firstFallback = tiers.firstIndex(of: "fallback") ?? tiers.endIndex
        #expect(tiers[firstFallback...].contains("primary"), "the primary did not serve again after the outage")
        #expect(result.stderr.contains("circuit breaker closed"))
        #expect(result.stderr.contains("circuit breaker open"))
    }

    @Test func everyModelDownMakesRecordsWaitNotFailAndMaxOutageStopsWithSeventyFive() async throws {
        // Every model is down until the test ends the outage (a window of fixed seconds could end
        // before a loaded machine had started either run).
        let sim = try await Simulator(scenario: #"{"outages":[{"model":"*","start_s":0,"end_s":3600,"kind":"529"}]}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(200), to: dir + "/in.jsonl")
        let stopped = try await run(sim, dir, ["--max-outage", "2", "--concurrency", "8"])
        #expect(stopped.status == 75, "\(stopped.stderr.suffix(1500))")
        #expect(stopped.stderr.contains("--max-outage"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.jsonl"))

        // The second run meets the outage too: its records wait behind the open breaker (its log says
        // so), and then the outage ends.
        let child = try ChildProcess(Binaries.promptline, arguments(dir, ["--concurrency", "8"]), environment: sim.environment)
        try await waitUntil("the second run's breaker opening") { child.stderr.contains("circuit breaker open") }
        try await sim.setScenario("{}")
        let waited = await child.wait()
        #expect(waited.status == 0, "\(waited.stderr.suffix(1500))")
        let lines = try outputLines(dir + "/out.jsonl")
        #expect(lines.count == 200)
        #expect(lines.allSatisfy { type($0) == "succeeded" })
    }
}
