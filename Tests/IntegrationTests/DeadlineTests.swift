import Foundation
import Testing

/// `--deadline` (SPEC §1, §8).
@Suite struct DeadlineJobTests {
    @Test(.timeLimit(.minutes(2))) func withTheMessagesBackendDispatchStopsAtTheDeadlineAndAResumeFinishes() async throws {
        let sim = try await Simulator(["--latency-ms", "300"])
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(200), to: dir + "/in.jsonl")
        let arguments = [
            "run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", "claude-haiku-4-5", "--concurrency", "2",
            "--backend", "messages", "--progress", "none",
        ]
        // 200 records at two in flight and 300 ms each need 30 s: a 2-second deadline stops dispatch.
        let stopped = try await promptline(arguments + ["--deadline", "2s"], environment: sim.environment)
        #expect(stopped.status == 75, "\(stopped.stderr.suffix(1500))")
        #expect(stopped.stderr.contains("the deadline"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.jsonl"), "an output was put in place before the job was done")
        #expect(try await sim.stats().requests < 200)

        let resumed = try await promptline(arguments + ["--concurrency", "32"], environment: sim.environment)
        #expect(resumed.status == 0, "\(resumed.stderr.suffix(1500))")
        #expect(try Fixtures.lines(dir + "/out.jsonl").count == 200)
        #expect(try await sim.stats().requests == 200, "a record answered before the deadline was sent again")
    }

    @Test func aDeadlineThatIsNeitherADurationNorATimeIsAUsageError() async throws {
        let dir = Fixtures.directory()
        let run = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--deadline", "tomorrow"], environment: [:])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--deadline"))
    }
}
