import Foundation
import Testing

@testable import Promptline

/// SPEC §6 against a misbehaving simulator, with the real binary (issue: reliability layer).
@Suite(.serialized, .timeLimit(.minutes(3)), .reportsFailures) struct ReliabilityTests {
    let primary = "claude-sonnet-4-5"

    private func run(_ sim: Simulator, _ dir: String, _ extra: [String], input: String = "in.jsonl", output: String = "out.jsonl")
        async throws -> CommandResult
    {
        try await promptline(
            ["run", dir + "/" + input, "-o", dir + "/" + output, "--db", dir + "/s.db", "--model", primary, "--progress", "none"] + extra,
            environment: sim.environment)
    }

    private func outputLines(_ path: String) throws -> [[String: Any]] {
        try Fixtures.lines(path).map(Fixtures.json)
    }

    private func type(_ line: [String: Any]) -> String? { (line["result"] as? [String: Any])?["type"] as? String }

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
        let result = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", primary, "--concurrency", "16"],
            environment: ["ANTHROPIC_BASE_URL": sim.url, "ANTHROPIC_API_KEY": secret])
        #expect(result.status == 77)
        #expect(result.stderr.contains("authentication"))
        #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
        for file in (try FileManager.default.contentsOfDirectory(atPath: dir)) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file))
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "the key was written to \(file)")
        }
        // The stop is at once: at most one window of requests, and none retried (the simulator's
        // counters say so on any machine, where a bound on the wall time would not).
        let stats = try await sim.stats()
        #expect(stats.requests <= 16)
        #expect(stats.by_fingerprint.values.allSatisfy { $0 == 1 }, "a refused request was retried")
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
@Suite(.serialized, .timeLimit(.minutes(3)), .reportsFailures) struct DegradationTierTests {
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
        try Fixtures.write(
            prompts(temperature: 0.9) + [#"{"id":"new","prompt":"never asked before","temperature":0.9}"#], to: dir + "/warm.jsonl")
        let base = ["--db", dir + "/s.db", "--model", model, "--progress", "none", "--max-retries", "0"]
        #expect(
            try await promptline(["run", dir + "/cool.jsonl", "-o", dir + "/cool.out"] + base, environment: sim.environment).status == 0)

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
