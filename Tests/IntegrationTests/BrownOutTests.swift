import Foundation
import Testing

/// SPEC §6, issue 8: partial failure is not an outage. A sustained share of 529s on one model with no
/// fallback: every record succeeds (none is burnt before its deadline), and only a poison record errors.
@Suite(.reportsFailures) struct BrownOutTests {
    let model = "claude-sonnet-4-5"

    private func type(_ line: [String: Any]) -> String? { (line["result"] as? [String: Any])?["type"] as? String }

    @Test(.timeLimit(.minutes(4)), arguments: [0.1, 0.35, 0.6])
    func aSustainedErrorShareOnOneModelEndsWithEveryRecordSucceeded(errorShare: Double) async throws {
        let sim = try await Simulator(
            scenario: #"{"latency":{"fixed_ms":5},"model_error_rates":{"claude-sonnet-4-5":{"529":\#(errorShare)}}}"#, ["--seed", "5"])
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(400), to: dir + "/in.jsonl")
        let result = try await promptline(
            [
                "run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model, "--concurrency", "16",
                "--progress", "none", "--summary", dir + "/summary.json",
            ],
            environment: sim.environment, timeout: .seconds(230))
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        let lines = try Fixtures.lines(dir + "/out.jsonl").map(Fixtures.json)
        #expect(lines.count == 400)
        #expect(lines.allSatisfy { type($0) == "succeeded" })
        let stats = try await sim.stats()
        let overloaded = stats.by_model[model]?["529"] ?? 0
        #expect(overloaded > 0, "the brown-out never happened")
        let summary =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as? [String: Any]
        #expect((summary?["breakerTrips"] as? Int) == 0, "a brown-out opened the breaker")
        let shares = summary?["successShares"] as? [String: Double]
        #expect(shares?[model] != nil)
    }

    /// A record that fails every time while its model serves the others ends `errored` after a bounded
    /// run of attempts, instead of holding the job until its deadline.
    @Test(.timeLimit(.minutes(3))) func aPoisonRecordEndsErroredWhileTheOthersSucceed() async throws {
        let sim = try await Simulator(
            scenario: #"{"latency":{"fixed_ms":5},"error_rates":{"529":0.1}}"#, ["--seed", "9"])
        let dir = Fixtures.directory()
        var records = Fixtures.records(300)
        records[150] = #"{"id":"poison","prompt":"always overloaded [[sim:529]]"}"#
        try Fixtures.write(records, to: dir + "/in.jsonl")
        let result = try await promptline(
            [
                "run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model, "--concurrency", "16",
                "--progress", "none", "--summary", dir + "/summary.json",
            ],
            environment: sim.environment, timeout: .seconds(170))
        #expect(result.status == 1, "\(result.stderr.suffix(2000))")
        let lines = try Fixtures.lines(dir + "/out.jsonl").map(Fixtures.json)
        #expect(lines.count == 300)
        #expect(type(lines[150]) == "errored")
        #expect(lines.enumerated().allSatisfy { $0.offset == 150 || type($0.element) == "succeeded" })
        let attempts = (lines[150]["served_by"] as? [String: Any])?["attempts"] as? Int ?? 0
        #expect(attempts >= 10 && attempts <= 30, "the poison record took \(attempts) attempts")
        let summary =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as? [String: Any]
        #expect((summary?["poisonRecords"] as? Int) == 1)
        #expect(result.stderr.contains("poison"))
    }

    /// A brown-out window that starts and ends (simulator scenario): the records sent during it are
    /// retried and succeed; after it the model answers everything again.
    @Test(.timeLimit(.minutes(3))) func aBrownOutThatStartsAndEndsLeavesNoRecordErrored() async throws {
        let sim = try await Simulator(scenario: #"{"latency":{"fixed_ms":20}}"#, ["--seed", "2"])
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(600), to: dir + "/in.jsonl")
        let child = try ChildProcess(
            Binaries.promptline,
            [
                "run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model, "--concurrency", "8",
                "--progress", "none",
            ],
            environment: sim.environment)
        // The brown-out starts once the job runs (however long a loaded machine takes to start it): an
        // outage window counts from the moment its scenario is set, and this one ends 3 s later.
        try await sim.waitForRequests(atLeast: 50)
        try await sim.setScenario(
            #"{"latency":{"fixed_ms":20},"outages":[{"model":"claude-sonnet-4-5","start_s":0,"end_s":3,"kind":"500","rate":0.5}]}"#)
        let result = await child.wait(timeout: .seconds(170))
        #expect(result.status == 0, "\(result.stderr.suffix(2000))")
        let lines = try Fixtures.lines(dir + "/out.jsonl").map(Fixtures.json)
        #expect(lines.allSatisfy { type($0) == "succeeded" })
        let stats = try await sim.stats()
        #expect((stats.by_model[model]?["500"] ?? 0) > 0)
    }
}
