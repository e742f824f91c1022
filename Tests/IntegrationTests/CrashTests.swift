import Foundation
@testable import PromptlineSim
import Testing

@testable import Promptline

/// `kill -9` at random moments, resumed each time with the same command (SPEC §4.1, §4.2).
@Suite(.serialized, .timeLimit(.minutes(3)), .reportsFailures) struct CrashTests {
    let model = "claude-haiku-4-5"

    /// An output line without the parts SPEC §4.1 lets differ for a record in flight at a kill.
    private func normalized(_ line: String) -> NSDictionary {
        var object = Fixtures.json(line)
        if var result = object["result"] as? [String: Any], var message = result["message"] as? [String: Any] {
            message["id"] = nil
            result["message"] = message
            object["result"] = result
        }
        if var servedBy = object["served_by"] as? [String: Any] {
            servedBy["attempts"] = nil
            servedBy["errors"] = nil
            object["served_by"] = servedBy
        }
        return object as NSDictionary
    }

    @Test func killNineAtRandomMomentsLosesNothingAndResendsOnlyWhatWasInFlight() async throws {
        let concurrency = 16
        let kills = 3
        // The kill moments are random but replayable: every failure message names the seed.
        var random = SeededGenerator.fromEnvironment()
        let seed = "(kill moments from PROMPTLINE_TEST_SEED=\(random.seed))"
        let sim = try await Simulator(["--latency-ms", "20"])
        let dir = Fixtures.directory()
        let records = Fixtures.records(3000)
        try Fixtures.write(records, to: dir + "/in.jsonl.gz")
        let arguments = [
            "run", dir + "/in.jsonl.gz", "-o", dir + "/out.jsonl.gz", "--db", dir + "/s.db", "--model", model,
            "--concurrency", "\(concurrency)", "--progress", "none",
        ]
        for _ in 0..<kills {
            // A random moment of the job's sending (a count of requests, not a time: a loaded machine
            // could spend any fixed time starting up, and the kill would find nothing in flight).
            let sent = try await sim.stats().requests
            let child = try ChildProcess(Binaries.promptline, arguments, environment: sim.environment)
            try await sim.waitForRequests(atLeast: sent + Int.random(in: 1...600, using: &random))
            child.kill9()
            _ = await child.wait()
            #expect(
                !FileManager.default.fileExists(atPath: dir + "/out.jsonl.gz"),
                "the final path appeared before the output was complete \(seed)")
        }
        let resumed = try await promptline(arguments, environment: sim.environment)
        #expect(resumed.status == 0, "\(resumed.stderr) \(seed)")

        // The reference: one uninterrupted run against a fresh simulator.
        let reference = try await Simulator()
        let clean = try await promptline(
            ["run", dir + "/in.jsonl.gz", "-o", dir + "/ref.jsonl.gz", "--db", dir + "/ref.db", "--model", model, "--concurrency", "64"],
            environment: reference.environment)
        #expect(clean.status == 0)

        let stats = try await sim.stats()
        let resent = Set(stats.by_fingerprint.filter { $0.value > 1 }.map(\.key))
        #expect(resent.count <= concurrency * kills, "more keys were sent twice than were in flight at the kills \(seed)")
        #expect(stats.by_fingerprint.values.allSatisfy { $0 <= 1 + kills }, "\(seed)")
        #expect(stats.by_fingerprint.count == 3000, "\(seed)")

        let lines = try Fixtures.lines(dir + "/out.jsonl.gz")
        let expected = try Fixtures.lines(dir + "/ref.jsonl.gz")
        #expect(lines.count == 3000, "\(seed)")
        for (index, (line, reference)) in zip(lines, expected).enumerated() where line != reference {
            #expect(
                resent.contains(Fixtures.fingerprint(of: records[index], model: model)),
                "line \(index + 1) differs but was not in flight at a kill \(seed)")
            #expect(normalized(line) == normalized(reference), "line \(index + 1) differs beyond SPEC §4.1's allowance \(seed)")
        }

        let export = try await promptline(
            ["export", "--db", dir + "/s.db", dir + "/in.jsonl.gz", "-o", dir + "/export.jsonl.gz", "--model", model], environment: [:])
        #expect(export.status == 0)
        #expect(try Fixtures.lines(dir + "/export.jsonl.gz") == lines, "\(seed)")

        let status = try await promptline(["status", "--db", dir + "/s.db"], environment: [:])
        #expect(status.stdout.contains("possibly billed twice"))
    }
}
