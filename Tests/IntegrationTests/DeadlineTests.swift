import Foundation
import Testing

@testable import PromptlineSim

/// `--deadline` (SPEC §1, §8).
@Suite(.timeLimit(.minutes(3)), .reportsFailures) struct DeadlineJobTests {
    @Test func withTheMessagesBackendDispatchStopsAtTheDeadlineAndAResumeFinishes() async throws {
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

/// `--deadline` with batches first (SPEC §8): the switch to Messages, and never paying twice.
@Suite(.timeLimit(.minutes(5)), .reportsFailures) struct DeadlineBatchesTests {
    let model = "claude-haiku-4-5"

    private func arguments(_ dir: String, deadline: String, extra: [String] = []) -> [String] {
        [
            "run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model, "--deadline", deadline,
            "--poll-interval", "0.5", "--concurrency", "32", "--progress", "plain", "--summary", dir + "/s.json",
        ] + extra
    }

    private func summary(_ dir: String) throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/s.json"))) as? [String: Any]) ?? [:]
    }

    /// Runs a deadline job; on a machine too loaded to keep the deadline (exit 75), resumes it
    /// without one, as a user would. Returns the first run's status.
    private func runToTheEnd(_ sim: Simulator, _ dir: String, deadline: String, extra: [String] = []) async throws -> Int32 {
        let run = try await promptline(arguments(dir, deadline: deadline, extra: extra), environment: sim.environment)
        #expect(run.status == 0 || run.status == 75, "\(run.stderr.suffix(2000))")
        if run.status == 75 {
            let resumed = try await promptline(
                ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model, "--progress", "none"],
                environment: sim.environment)
            #expect(resumed.status == 0, "\(resumed.stderr.suffix(2000))")
        }
        return run.status
    }

    /// Every record has exactly one billed answer: the batches' and Messages' billed requests add up to the records.
    private func expectEveryRecordPaidOnce(_ sim: Simulator, records: Int, dir: String) async throws {
        let billed = try await sim.billedRequests()
        #expect((billed["batch"] ?? 0) + (billed["messages"] ?? 0) == records, "billed \(billed) for \(records) records")
        let lines = try Fixtures.lines(dir + "/out.jsonl")
        #expect(lines.count == records)
        let byBatches = lines.filter { ((Fixtures.json($0)["served_by"] as? [String: Any])?["backend"] as? String) == "batches" }.count
        #expect(byBatches == (billed["batch"] ?? 0))
        let stats = try await sim.stats()
        #expect(stats.by_fingerprint.values.allSatisfy { $0 == 1 }, "a record was sent through Messages twice")
    }

    @Test func batchesThatNeverMoveAreCanceledAndEveryRecordGoesThroughMessagesOnce() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":600000,"stall_first":100,"cancel_ms":200}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(200), to: dir + "/in.jsonl")
        let status = try await runToTheEnd(sim, dir, deadline: "40s", extra: ["--batch-size", "100"])
        try await expectEveryRecordPaidOnce(sim, records: 200, dir: dir)
        #expect(try await sim.billedRequests()["messages"] == 200)
        if status == 0 {
            let deadline = try #require(try summary(dir)["deadline"] as? [String: Any])
            #expect(deadline["met"] as? Bool == true)
            #expect(deadline["switchedToMessages"] as? Bool == true)
            #expect((deadline["recordsByBackend"] as? [String: Int])?["messages"] == 200)
        }
        #expect(try await sim.batchStats().cancelTimes.count >= 1)
    }

    @Test func batchesThatEndInTimeSendNothingThroughMessages() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":1500,"cancel_ms":200}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(120), to: dir + "/in.jsonl")
        let run = try await promptline(arguments(dir, deadline: "2m"), environment: sim.environment)
        #expect(run.status == 0, "\(run.stderr.suffix(2000))")
        #expect(try await sim.stats().requests == 0, "a record went through Messages though the batches ended in time")
        try await expectEveryRecordPaidOnce(sim, records: 120, dir: dir)
        let deadline = try #require(try summary(dir)["deadline"] as? [String: Any])
        #expect(deadline["met"] as? Bool == true)
        #expect(deadline["switchedToMessages"] as? Bool == false)
        #expect(abs((deadline["costAgainstAllMessages"] as? Double ?? 0) - 0.5) < 0.01)
    }

    @Test func aSwitchMidwayKeepsWhatTheBatchesFinishedAndSendsOnlyTheRest() async throws {
        // Batches that take 40 s against a 20 s deadline: the probe measures their pace, the rest is canceled part-way.
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":40000,"cancel_ms":200}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(400), to: dir + "/in.jsonl")
        _ = try await runToTheEnd(sim, dir, deadline: "20s")
        try await expectEveryRecordPaidOnce(sim, records: 400, dir: dir)
        let billed = try await sim.billedRequests()
        #expect((billed["batch"] ?? 0) > 0, "the batches' finished requests were not kept")
        #expect((billed["messages"] ?? 0) > 0)
    }

    @Test func theDeadlinePassingWhileBatchesRunStopsWithSeventyFiveAndTheResumePaysForNothingTwice() async throws {
        // Batches that never move and cancels that take 3 s: a 2-second deadline passes in the batches.
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":600000,"stall_first":100,"cancel_ms":3000}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(200), to: dir + "/in.jsonl")
        let stopped = try await promptline(arguments(dir, deadline: "2s"), environment: sim.environment)
        #expect(stopped.status == 75, "\(stopped.stderr.suffix(2000))")
        #expect(stopped.stderr.contains("the deadline"))
        #expect(stopped.stderr.contains("batches already created keep running"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.jsonl"), "an output was put in place before the job was done")

        // The resume, with a later deadline, switches the batches it finds to Messages.
        let resumed = try await promptline(arguments(dir, deadline: "20s"), environment: sim.environment)
        #expect(resumed.status == 0, "\(resumed.stderr.suffix(2000))")
        try await expectEveryRecordPaidOnce(sim, records: 200, dir: dir)
    }

    @Test func aKillAfterTheSwitchAndAResumePayForNothingTwice() async throws {
        let sim = try await Simulator(["--latency-ms", "100"])
        try await sim.setScenario(#"{"batches":{"processing_ms":600000,"stall_first":100,"cancel_ms":200},"latency":{"fixed_ms":100}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(300), to: dir + "/in.jsonl")
        let child = try ChildProcess(
            Binaries.promptline, arguments(dir, deadline: "30s", extra: ["--concurrency", "2"]), environment: sim.environment)
        // Killed once Messages has started on the canceled batches' records.
        try await sim.waitForRequests(atLeast: 5)
        child.kill9()
        _ = await child.wait(timeout: .seconds(30))
        let created = try await sim.batchStats().created
        let resumed = try await promptline(arguments(dir, deadline: "2m"), environment: sim.environment)
        #expect(resumed.status == 0, "\(resumed.stderr.suffix(2000))")
        #expect(try await sim.batchStats().created == created, "the resume created batches again after the switch")
        let billed = try await sim.billedRequests()
        #expect((billed["batch"] ?? 0) == 0)
        // At most the requests in flight at the kill were paid twice (SPEC §4.2): two here.
        #expect((billed["messages"] ?? 0) <= 300 + 2)
        #expect(try Fixtures.lines(dir + "/out.jsonl").count == 300)
    }
}
