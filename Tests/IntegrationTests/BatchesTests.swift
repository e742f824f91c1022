import Foundation
@testable import PromptlineSim
import Testing

@testable import Promptline

/// `run --backend batches` against promptline-sim over loopback (SPEC §8).
@Suite(.serialized, .timeLimit(.minutes(3)), .reportsFailures) struct BatchesTests {
    let model = "claude-haiku-4-5"

    private func arguments(_ dir: String, batchSize: Int = 1000, pollInterval: String = "0.2", extra: [String] = []) -> [String] {
        [
            "run", dir + "/in.jsonl.gz", "-o", dir + "/out.jsonl.gz", "--db", dir + "/s.db", "--model", model, "--backend", "batches",
            "--batch-size", "\(batchSize)", "--poll-interval", pollInterval, "--progress", "none",
        ] + extra
    }

    private func resultType(_ line: String) -> String? { (Fixtures.json(line)["result"] as? [String: Any])?["type"] as? String }
    private func servedBy(_ line: String) -> [String: Any] { Fixtures.json(line)["served_by"] as? [String: Any] ?? [:] }

    /// The batches client sends the same credentials as the messages client: a Bearer token alone works.
    @Test func anAuthTokenAloneRunsABatchJob() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":100}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(20), to: dir + "/in.jsonl.gz")
        let run = try await promptline(
            arguments(dir), environment: ["ANTHROPIC_BASE_URL": sim.url, "ANTHROPIC_AUTH_TOKEN": sim.apiKey, "ANTHROPIC_API_KEY": ""])
        #expect(run.status == 0, "\(run.stderr.suffix(1500))")
        #expect(try Fixtures.lines(dir + "/out.jsonl.gz").count == 20)
        #expect(!run.stderr.contains(sim.apiKey))
    }

    @Test func twoAndAHalfBatchSizesMakeThreeBatchesNoMessagesCallAndTheMessagesBackendsOutput() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":200}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(250), to: dir + "/in.jsonl.gz")
        let run = try await promptline(
            arguments(dir, batchSize: 100, extra: ["--summary", dir + "/summary.json"]), environment: sim.environment)
        #expect(run.status == 0, "\(run.stderr)")

        let batches = try await sim.batchStats()
        #expect(batches.created == 3)
        #expect(batches.requestsByBatch.values.sorted() == [50, 100, 100])
        #expect(try await sim.stats().requests == 0, "the batches backend sent a /v1/messages request")

        let reference = try await Simulator()
        let clean = try await promptline(
            [
                "run", dir + "/in.jsonl.gz", "-o", dir + "/ref.jsonl.gz", "--db", dir + "/ref.db", "--model", model, "--progress", "none",
                "--summary", dir + "/ref.json",
            ],
            environment: reference.environment)
        #expect(clean.status == 0)
        let lines = try Fixtures.lines(dir + "/out.jsonl.gz")
        let expected = try Fixtures.lines(dir + "/ref.jsonl.gz")
        #expect(lines.count == 250)
        for (index, (line, other)) in zip(lines, expected).enumerated() {
            var mine = Fixtures.json(line)
            let theirs = Fixtures.json(other)
            var served = mine["served_by"] as? [String: Any] ?? [:]
            #expect(served.removeValue(forKey: "backend") as? String == "batches")
            mine["served_by"] = served
            if (mine as NSDictionary) != (theirs as NSDictionary) {
                Issue.record("line \(index + 1) differs from the messages backend's: \(line) vs \(other)")
                break
            }
        }

        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as? [String: Any])
        let referenceSummary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/ref.json"))) as? [String: Any])
        let cost = try #require(summary["costUSD"] as? Double)
        let listCost = try #require(referenceSummary["costUSD"] as? Double)
        #expect(abs(cost * 2 - listCost) <= listCost * 0.01, "batch cost \(cost) is not half the messages backend's \(listCost)")
        let batchSummary = try #require(summary["batches"] as? [String: Any])
        #expect(batchSummary["batchesCreated"] as? Int == 3)
        #expect(run.stderr.contains("3 created"))

        let export = try await promptline(
            ["export", "--db", dir + "/s.db", dir + "/in.jsonl.gz", "-o", dir + "/export.jsonl.gz", "--model", model], environment: [:])
        #expect(export.status == 0)
        #expect(try Fixtures.lines(dir + "/export.jsonl.gz") == lines, "export does not reproduce the batches backend's output")
        let rerun = try await promptline(arguments(dir), environment: sim.environment)
        #expect(rerun.status == 0)
        #expect(rerun.stderr.contains("nothing to do"))
        #expect(try await sim.batchStats().created == 3)
    }

    @Test func killNineBetweenTheCreateAndItsAnswerAdoptsTheOrphanInsteadOfPayingTwice() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":200,"hold_creates":1}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(300), to: dir + "/in.jsonl.gz")
        let child = try ChildProcess(Binaries.promptline, arguments(dir), environment: sim.environment)
        try await sim.waitForBatches { $0.held == 1 }
        child.kill9()
        _ = await child.wait()

        let status = try await promptline(["status", "--db", dir + "/s.db"], environment: [:])
        #expect(status.stdout.contains("id not recorded"), "\(status.stdout)")

        let resumed = try await promptline(arguments(dir), environment: sim.environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("adopted batch"))
        let batches = try await sim.batchStats()
        #expect(batches.created == 1, "a second batch was created for keys already in one")
        #expect(try await sim.stats().requests == 0)
        let lines = try Fixtures.lines(dir + "/out.jsonl.gz")
        #expect(lines.count == 300)
        #expect(lines.allSatisfy { resultType($0) == "succeeded" })
        #expect(lines.map { Fixtures.json($0)["custom_id"] as? String } == (0..<300).map { "r\($0)" })
    }

    @Test func anExpiredBatchAndTransientErrorsAreResubmittedUntilAnswered() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":100,"expire_first":1},"error_rates":{"529":0.2}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(200), to: dir + "/in.jsonl.gz")
        let run = try await promptline(arguments(dir), environment: sim.environment)
        #expect(run.status == 0, "\(run.stderr)")
        let batches = try await sim.batchStats()
        #expect(batches.created >= 3, "the expired batch or the errored results were not resubmitted")
        let lines = try Fixtures.lines(dir + "/out.jsonl.gz")
        #expect(lines.count == 200)
        #expect(lines.allSatisfy { resultType($0) == "succeeded" })
        #expect(lines.allSatisfy { (servedBy($0)["errors"] as? [String])?.first == "expired" })
        #expect(lines.contains { (servedBy($0)["errors"] as? [String])?.contains("overloaded_error") == true })
        #expect(lines.allSatisfy { (servedBy($0)["attempts"] as? Int ?? 0) >= 2 })
        #expect(try await sim.stats().requests == 0)
    }

    @Test func anInvalidRequestBecomesAnErroredRecordAndIsNotResubmitted() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":50}}"#)
        let dir = Fixtures.directory()
        var records = Fixtures.records(5)
        records.append(#"{"custom_id":"bad","params":{"max_tokens":64,"messages":[{"role":"user","content":"[[sim:400]] refused"}]}}"#)
        try Fixtures.write(records, to: dir + "/in.jsonl.gz")
        let run = try await promptline(arguments(dir), environment: sim.environment)
        #expect(run.status == 1, "\(run.stderr)")
        let lines = try Fixtures.lines(dir + "/out.jsonl.gz")
        let bad = try #require(lines.last)
        #expect(resultType(bad) == "errored")
        let error = ((Fixtures.json(bad)["result"] as? [String: Any])?["error"] as? [String: Any])?["error"] as? [String: Any]
        #expect(error?["type"] as? String == "invalid_request_error")
        #expect(servedBy(bad)["tier"] as? String == "none")
        #expect(lines.dropLast().allSatisfy { resultType($0) == "succeeded" })
        #expect(try await sim.batchStats().created == 1)
    }

    @Test func aCreateThatTimesOutIsFoundByListingInsteadOfSentAgain() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":100,"hold_creates":1}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(100), to: dir + "/in.jsonl.gz")
        let run = try await promptline(arguments(dir, extra: ["--timeout", "1"]), environment: sim.environment)
        #expect(run.status == 0, "\(run.stderr)")
        let batches = try await sim.batchStats()
        #expect(batches.held == 1)
        #expect(batches.created == 1, "the create was sent again after its answer timed out")
        #expect(batches.lists >= 1)
        #expect(try Fixtures.lines(dir + "/out.jsonl.gz").allSatisfy { resultType($0) == "succeeded" })
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalLeavesTheBatchRunningAndAResumeCollectsIt(signal: Int32) async throws {
        // The signal must come while the batch runs: the simulator cannot hold a batch until told, so
        // it runs 5 s, far more than a loaded machine takes between seeing it created and the signal.
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":5000}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(400), to: dir + "/in.jsonl.gz")
        let child = try ChildProcess(Binaries.promptline, arguments(dir), environment: sim.environment)
        try await sim.waitForBatches { $0.created == 1 }
        kill(child.process.processIdentifier, signal)
        let interrupted = await child.wait()
        #expect(interrupted.status == 128 + signal, "\(interrupted.stderr)")
        #expect(interrupted.stderr.contains("to resume"))
        #expect(try await sim.batchStats().cancels == 0, "the signal canceled a batch")
        let status = try await promptline(["status", "--db", dir + "/s.db"], environment: [:])
        #expect(status.stdout.contains("batches in flight: 1"), "\(status.stdout)")
        #expect(status.stdout.contains("msgbatch_"))

        let resumed = try await promptline(arguments(dir), environment: sim.environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try await sim.batchStats().created == 1)
        let lines = try Fixtures.lines(dir + "/out.jsonl.gz")
        #expect(lines.count == 400)
        #expect(lines.allSatisfy { resultType($0) == "succeeded" })
        let after = try await promptline(["status", "--db", dir + "/s.db"], environment: [:])
        #expect(!after.stdout.contains("batches in flight"))
    }

    @Test func sigintDuringAnUnansweredCreateWaitsTheGraceThenStopsAndTheResumeAdopts() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":100,"hold_creates":1}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(100), to: dir + "/in.jsonl.gz")
        let child = try ChildProcess(Binaries.promptline, arguments(dir, extra: ["--grace-period", "0.5"]), environment: sim.environment)
        try await sim.waitForBatches { $0.held == 1 }
        kill(child.process.processIdentifier, SIGINT)
        let interrupted = await child.wait()
        #expect(interrupted.status == 130, "\(interrupted.stderr)")
        let resumed = try await promptline(arguments(dir), environment: sim.environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("adopted batch"))
        #expect(try await sim.batchStats().created == 1)
    }

    @Test func pollsOfABatchAreNeverCloserThanThePollInterval() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":1200}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(50), to: dir + "/in.jsonl.gz")
        let run = try await promptline(arguments(dir, pollInterval: "0.3"), environment: sim.environment)
        #expect(run.status == 0, "\(run.stderr)")
        let batches = try await sim.batchStats()
        let times = try #require(batches.pollTimes.values.first)
        #expect(times.count >= 2)
        for (earlier, later) in zip(times, times.dropFirst()) {
            #expect(later - earlier >= 0.3, "two polls \(later - earlier) s apart with --poll-interval 0.3")
        }
    }

    @Test func aWrongKeyStopsTheBatchesBackendWithSeventySevenAndNoBatch() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":50}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(10), to: dir + "/in.jsonl.gz")
        var environment = sim.environment
        environment["ANTHROPIC_API_KEY"] = "wrong-key"
        let run = try await promptline(arguments(dir, extra: ["--no-preflight"]), environment: environment)
        #expect(run.status == 77, "\(run.stderr)")
        #expect(run.stderr.contains("authentication failed"))
        #expect(try await sim.batchStats().created == 0)
        #expect(try await promptline(["status", "--db", dir + "/s.db"], environment: [:]).stdout.contains("batches in flight") == false)
    }

    @Test func retryErroredResubmitsOnlyTheErroredRecordAndRewritesTheOutput() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":50}}"#)
        let dir = Fixtures.directory()
        var records = Fixtures.records(3)
        records.append(
            #"{"custom_id":"later","params":{"model":"claude-later","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}}"#)
        try Fixtures.write(records, to: dir + "/in.jsonl.gz")
        let first = try await promptline(arguments(dir), environment: sim.environment)
        #expect(first.status == 1, "\(first.stderr)")
        #expect(try Fixtures.lines(dir + "/out.jsonl.gz").last.map(resultType) == "errored")

        try await sim.setScenario(#"{"batches":{"processing_ms":50},"models":["claude-later"]}"#)
        let again = try await promptline(arguments(dir, extra: ["--retry-errored"]), environment: sim.environment)
        #expect(again.status == 0, "\(again.stderr)")
        let lines = try Fixtures.lines(dir + "/out.jsonl.gz")
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { resultType($0) == "succeeded" })
        let batches = try await sim.batchStats()
        #expect(batches.requestsByBatch.values.sorted() == [1, 4], "more than the errored record was batched again")
        #expect(try await sim.stats().requests == 0)
    }

    @Test func theBudgetStopsNewBatchesWithSeventyFiveAfterCollectingTheCreatedOnes() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":50}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(250), to: dir + "/in.jsonl.gz")
        let dry = try await promptline(
            arguments(dir, batchSize: 100, extra: ["--dry-run", "--summary", dir + "/dry.json"]), environment: [:])
        #expect(dry.status == 0)
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/dry.json"))) as? [String: Any])
        let worstCase = try #require(report["batchWorstCaseCost"] as? Double)
        // Room for the first batch of 100 (40 % of the worst case), not for the second (80 %).
        let stopped = try await promptline(
            arguments(dir, batchSize: 100, extra: ["--budget-usd", "\(worstCase * 0.5)"]), environment: sim.environment)
        #expect(stopped.status == 75, "\(stopped.stderr)")
        #expect(try await sim.batchStats().created == 1)
        let status = try await promptline(["status", "--db", dir + "/s.db"], environment: [:])
        #expect(status.stdout.contains("succeeded 100"), "the batch created before the budget stop was not collected: \(status.stdout)")

        let resumed = try await promptline(
            arguments(dir, batchSize: 100, extra: ["--budget-usd", "\(worstCase * 2)"]), environment: sim.environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try await sim.batchStats().requestsByBatch.values.sorted() == [50, 100, 100])
        #expect(try Fixtures.lines(dir + "/out.jsonl.gz").count == 250)
    }

    @Test func aDryRunWithTheBatchesBackendShowsBothPrices() async throws {
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(10), to: dir + "/in.jsonl.gz")
        let run = try await promptline(arguments(dir, extra: ["--dry-run"]), environment: [:])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("at the batch price"))
        #expect(run.stdout.contains("through the messages backend"))
    }
}
