import Foundation
import Testing

@testable import Promptline

/// Bad input: annotated invalid lines, `--strict`, a truncated gzip stream (SPEC §2).
@Suite(.serialized, .timeLimit(.minutes(3)), .reportsFailures) struct InputFaultTests {
    let model = "claude-haiku-4-5"

    @Test func invalidLinesGetAnOutputLineAndAWarningNamingFileAndLine() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        let lines = [
            #"{"id":"a","prompt":"one"}"#,
            #"{"id":"b","prompt": unquoted}"#,
            "",
            #"{"id":"a","prompt":"a repeated id"}"#,
            #"{"id":"c","prompt":5}"#,
            #"{"custom_id":"d"}"#,
            #"{"id":"e","prompt":"two"}"# + "\r",
        ]
        try Fixtures.write(lines, to: dir + "/in.jsonl")
        let result = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model], environment: sim.environment)
        #expect(result.status == 1)
        #expect(result.stderr.contains("in.jsonl:2: invalid JSON"))
        #expect(result.stderr.contains("in.jsonl:4: custom_id \"a\" repeats"))
        #expect(result.stderr.contains("in.jsonl:5: field prompt must be a string"))
        #expect(result.stderr.contains("in.jsonl:6: field params must be an object"))
        let output = try Fixtures.lines(dir + "/out.jsonl").map(Fixtures.json)
        #expect(output.count == 6)
        let types = output.map { ($0["result"] as? [String: Any])?["type"] as? String }
        #expect(types == ["succeeded", "invalid", "invalid", "invalid", "invalid", "succeeded"])
        let error = (output[1]["result"] as? [String: Any])?["error"] as? [String: Any]
        #expect(error?["type"] as? String == "invalid_input")
        #expect(error?["line"] as? Int == 2)
        #expect((error?["file"] as? String)?.hasSuffix("in.jsonl") == true)
        #expect(try await sim.stats().requests == 2)
    }

    @Test func strictStopsAtTheFirstInvalidLineWithSixtyFive() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write([#"{"id":"a","prompt":"one"}"#, "{oops", #"{"id":"b","prompt":"two"}"#], to: dir + "/in.jsonl")
        let result = try await promptline(
            ["run", "--strict", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model],
            environment: sim.environment)
        #expect(result.status == 65)
        #expect(result.stderr.contains("in.jsonl:2: invalid JSON"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.jsonl"))
        #expect(try await sim.stats().requests == 1)
    }

    @Test func aTruncatedGzipStopsWithSixtyFiveAndKeepsEveryRecordBeforeTheFault() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(2000), to: dir + "/full.jsonl.gz")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/full.jsonl.gz"))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: dir + "/cut.jsonl.gz"))
        let result = try await promptline(
            ["run", dir + "/cut.jsonl.gz", "-o", dir + "/out.jsonl.gz", "--db", dir + "/s.db", "--model", model],
            environment: sim.environment)
        #expect(result.status == 65)
        #expect(result.stderr.contains("cut.jsonl.gz"))
        #expect(result.stderr.contains("byte"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.jsonl.gz"))
        let sent = try await sim.stats().requests
        #expect(sent > 100)
        let status = try await promptline(["status", "--db", dir + "/s.db"], environment: [:])
        #expect(status.stdout.contains("succeeded \(sent)"))
    }

    @Test func aMissingModelIsAnInvalidRecordWithAClearMessage() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write([#"{"id":"a","prompt":"one"}"#], to: dir + "/in.jsonl")
        let result = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db"], environment: sim.environment)
        #expect(result.status == 1)
        #expect(result.stderr.contains("missing field model"))
    }
}
