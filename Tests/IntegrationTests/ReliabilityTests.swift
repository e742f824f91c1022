import Foundation
import Testing

@testable import Promptline

/// SPEC §6 against a misbehaving simulator, with the real binary (issue: reliability layer).
@Suite(.serialized, .timeLimit(.minutes(3))) struct ReliabilityTests {
    let primary = "claude-sonnet-4-5"
    let fallback = "claude-haiku-4-5"

    private func run(_ sim: Simulator, _ dir: String, _ extra: [String], input: String = "in.jsonl", output: String = "out.jsonl") async throws -> CommandResult {
        try await promptline(
            ["run", dir + "/" + input, "-o", dir + "/" + output, "--db", dir + "/s.db", "--model", primary, "--progress", "none"] + extra,
            environment: sim.environment)
    }

    private func outputLines(_ path: String) throws -> [[String: Any]] {
        try Fixtures.lines(path).map(Fixtures.json)
    }

    private func tier(_ line: [String: Any]) -> String? { (line["served_by"] as? [String: Any])?["tier"] as? String }
    private func type(_ line: [String: Any]) -> String? { (line["result"] as? [String: Any])?["type"] as? String }

    @Test func aPrimaryOutageGoesToTheFallbackAndTheBreakerBoundsWhatThePrimaryReceives() async throws {
        let concurrency = 32
        let sim = try await Simulator(
            scenario: #"{"latency":{"fixed_ms":100},"outages":[{"model":"claude-sonnet-4-5","start_s":2,"end_s":12,"kind":"529"}]}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(6000), to: dir + "/in.jsonl")
        let result = try await run(sim, dir, ["--fallback-model", fallback, "--concurrency", "\(concurrency)", "--breaker-max-break", "4"])
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
        let sim = try await Simulator(scenario: #"{"outages":[{"model":"*","start_s":0,"end_s":6,"kind":"529"}]}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(200), to: dir + "/in.jsonl")
        let stopped = try await run(sim, dir, ["--max-outage", "2", "--concurrency", "8"])
        #expect(stopped.status == 75, "\(stopped.stderr.suffix(1500))")
        #expect(stopped.stderr.contains("--max-outage"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.jsonl"))

        let waited = try await run(sim, dir, ["--concurrency", "8"])
        #expect(waited.status == 0, "\(waited.stderr.suffix(1500))")
        let lines = try outputLines(dir + "/out.jsonl")
        #expect(lines.count == 200)
        #expect(lines.allSatisfy { type($0) == "succeeded" })
    }

    @Test func hangingRequestsTimeOutAndEveryRecordCompletes() async throws {
        let sim = try await Simulator(scenario: #"{"error_rates":{"hang":0.05}}"#, ["--seed", "3"])
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(300), to: dir + "/in.jsonl")
        let result = try await run(sim, dir, ["--timeout", "2", "--concurrency", "32"])
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        let lines = try outputLines(dir + "/out.jsonl")
        #expect(lines.count == 300)
        #expect(lines.allSatisfy { type($0) == "succeeded" })
        #expect(lines.contains { (($0["served_by"] as? [String: Any])?["errors"] as? [String])?.contains("timeout_error") == true })
        #expect((try await sim.stats().by_status["hang"] ?? 0) > 0)
    }

    @Test func aWrongKeyStopsWithSeventySevenAndTheKeyAppearsNowhere() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(500), to: dir + "/in.jsonl")
        let secret = "sk-wrong-\(UUID().uuidString)"
        let started = ContinuousClock.now
        let result = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", primary, "--concurrency", "16"],
            environment: ["ANTHROPIC_BASE_URL": sim.url, "ANTHROPIC_API_KEY": secret])
        #expect(result.status == 77)
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(result.stderr.contains("authentication"))
        #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
        for file in (try FileManager.default.contentsOfDirectory(atPath: dir)) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file))
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "the key was written to \(file)")
        }
        #expect(try await sim.stats().requests <= 16)
    }

    @Test func theSpendCapStopsWithSeventyFiveAndAResumeAfterItLiftsCompletes() async throws {
        let sim = try await Simulator(scenario: #"{"spend_cap_after":100}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(300), to: dir + "/in.jsonl")
        let capped = try await run(sim, dir, ["--concurrency", "8"])
        #expect(capped.status == 75)
        #expect(capped.stderr.contains("spend limit"))
        let status = try await promptline(["status", "--db", dir + "/s.db"], environment: [:])
        #expect(!status.stdout.contains("errored"))

        try await sim.setScenario("{}")
        let resumed = try await run(sim, dir, ["--concurrency", "8"])
        #expect(resumed.status == 0, "\(resumed.stderr.suffix(1500))")
        let lines = try outputLines(dir + "/out.jsonl")
        #expect(lines.count == 300)
        #expect(lines.allSatisfy { type($0) == "succeeded" })
    }

    @Test func aBadRequestErrsItsRecordAfterOneAttemptAndTheRestSucceed() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        let records = (0..<100).map { index in
            #"{"id":"r\#(index)","prompt":"question \#(index)\#(index % 10 == 0 ? " [[sim:400]]" : "")"}"#
        }
        try Fixtures.write(records, to: dir + "/in.jsonl")
        let result = try await run(sim, dir, [])
        #expect(result.status == 1)
        let lines = try outputLines(dir + "/out.jsonl")
        for (index, line) in lines.enumerated() {
            let servedBy = line["served_by"] as? [String: Any]
            if index % 10 == 0 {
                #expect(type(line) == "errored")
                #expect(servedBy?["attempts"] as? Int == 1)
                let error = ((line["result"] as? [String: Any])?["error"] as? [String: Any])?["error"] as? [String: Any]
                #expect(error?["type"] as? String == "invalid_request_error")
            } else {
                #expect(type(line) == "succeeded")
            }
        }
        #expect(try await sim.stats().requests == 100)
    }

    @Test func sigintStopsWithOneThirtyAndAResumeEqualsAnUninterruptedRun() async throws {
        let sim = try await Simulator(["--latency-ms", "30"])
        let dir = Fixtures.directory()
        let records = Fixtures.records(2000)
        try Fixtures.write(records, to: dir + "/in.jsonl.gz")
        let arguments = [
            "run", dir + "/in.jsonl.gz", "-o", dir + "/out.jsonl.gz", "--db", dir + "/s.db", "--model", primary,
            "--concurrency", "16", "--progress", "none",
        ]
        let child = try ChildProcess(Binaries.promptline, arguments, environment: sim.environment)
        // Part-way: a tenth of the records sent, many more to go.
        try await sim.waitForRequests(atLeast: 200)
        kill(child.process.processIdentifier, SIGINT)
        let interrupted = await child.wait()
        #expect(interrupted.status == 130, "\(interrupted.stderr.suffix(1500))")
        #expect(interrupted.stderr.contains("to resume, run:"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.jsonl.gz"))

        let resumed = try await promptline(arguments, environment: sim.environment)
        #expect(resumed.status == 0)
        // A graceful stop lets requests in flight finish: nothing is sent twice.
        #expect(try await sim.stats().by_fingerprint.values.allSatisfy { $0 == 1 })

        let reference = try await Simulator()
        _ = try await promptline(
            ["run", dir + "/in.jsonl.gz", "-o", dir + "/ref.jsonl.gz", "--db", dir + "/ref.db", "--model", primary],
            environment: reference.environment)
        #expect(try Fixtures.lines(dir + "/out.jsonl.gz") == Fixtures.lines(dir + "/ref.jsonl.gz"))
    }
}

/// The last degradation tiers: a stale answer (`--allow-stale`) and the static response.
@Suite(.serialized, .timeLimit(.minutes(3))) struct DegradationTierTests {
    let model = "claude-haiku-4-5"

    private func prompts(temperature: Double) -> [String] {
        (0..<20).map { #"{"id":"r\#($0)","prompt":"tell me about \#($0)","temperature":\#(temperature)}"# }
    }

    private func tiers(_ path: String) throws -> [String?] {
        try Fixtures.lines(path).map { (Fixtures.json($0)["served_by"] as? [String: Any])?["tier"] as? String }
    }

    @Test func whenNoModelCanServeStaleThenStaticAnswersAreWrittenAndRetriedLater() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write(prompts(temperature: 0.2), to: dir + "/cool.jsonl")
        try Fixtures.write(prompts(temperature: 0.9) + [#"{"id":"new","prompt":"never asked before","temperature":0.9}"#], to: dir + "/warm.jsonl")
        let base = ["--db", dir + "/s.db", "--model", model, "--progress", "none", "--max-retries", "0"]
        #expect(try await promptline(["run", dir + "/cool.jsonl", "-o", dir + "/cool.out"] + base, environment: sim.environment).status == 0)

        // Every request now fails with a 500 and no retries are allowed: the degradation tiers serve.
        try await sim.setScenario(#"{"error_rates":{"500":1}}"#)
        let degraded = try await promptline(
            ["run", dir + "/warm.jsonl", "-o", dir + "/warm.out", "--allow-stale", "--static-response", "unavailable"] + base,
            environment: sim.environment)
        #expect(degraded.status == 0, "\(degraded.stderr.suffix(1000))")
        let served = try tiers(dir + "/warm.out")
        #expect(served == Array(repeating: "stale", count: 20) + ["static"])
        let stale = Fixtures.json(try Fixtures.lines(dir + "/warm.out")[0])
        let original = Fixtures.json(try Fixtures.lines(dir + "/cool.out")[0])
        #expect((stale["result"] as? NSDictionary) == (original["result"] as? NSDictionary))

        // Degraded answers are tried again with --retry-errored once the API is back.
        try await sim.setScenario("{}")
        let retried = try await promptline(
            ["run", dir + "/warm.jsonl", "-o", dir + "/warm.out", "--retry-errored"] + base, environment: sim.environment)
        #expect(retried.status == 0)
        #expect(try tiers(dir + "/warm.out") == Array(repeating: "primary", count: 21))
    }
}
