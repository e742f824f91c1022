import Foundation
import Testing

/// Exit codes of SPEC §7 not covered elsewhere: 64 usage, 74 an unwritable store, 143 SIGTERM.
/// (0, 1, 65, 75, 77 and 130 are asserted by the pipeline, input-fault, reliability and operator tests.)
@Suite(.serialized, .timeLimit(.minutes(3)), .reportsFailures) struct ExitCodeTests {
    let model = "claude-haiku-4-5"

    @Test(arguments: [
        ["run", "in.jsonl"],  // no -o
        ["run", "in.jsonl", "-o", "out.jsonl", "--concurrency", "0"],
        ["run", "in.jsonl", "-o", "out.jsonl", "--shard", "2/2"],
        ["run", "in.jsonl", "-o", "out.jsonl", "--progress", "sometimes"],
        ["frobnicate"],
    ])
    func usageErrorsExitSixtyFour(arguments: [String]) async throws {
        let result = try await promptline(arguments, environment: [:])
        #expect(result.status == 64, "\(result.stderr)")
    }

    @Test func aStoreThatCannotBeWrittenExitsSeventyFourWithAClearMessage() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(5), to: dir + "/in.jsonl")
        let result = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", "/proc/promptline/state.db", "--model", model],
            environment: sim.environment)
        #expect(result.status == 74)
        #expect(result.stderr.contains("/proc/promptline/state.db"))
    }

    @Test func sigtermStopsWithOneFortyThree() async throws {
        let sim = try await Simulator(["--latency-ms", "50"])
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(1000), to: dir + "/in.jsonl")
        let child = try ChildProcess(
            Binaries.promptline,
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model, "--concurrency", "4"],
            environment: sim.environment)
        try await sim.waitForRequests(atLeast: 5)
        child.process.terminate()
        let result = await child.wait()
        #expect(result.status == 143)
        #expect(result.stderr.contains("SIGTERM"))
    }
}
