import Foundation
@testable import PromptlineSim
import Testing

@testable import Promptline

/// The core pipeline end to end: the built `promptline` binary against `promptline-sim` over loopback.
@Suite(.serialized, .timeLimit(.minutes(3)), .reportsFailures) struct PipelineTests {
    let model = "claude-haiku-4-5"

    @Test func aThousandRecordsComeBackInInputOrderWithTheSimulatorsText() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        let records = Fixtures.records(1000)
        try Fixtures.write(records, to: dir + "/in.jsonl.gz")
        let result = try await promptline(
            ["run", dir + "/in.jsonl.gz", "-o", dir + "/out.jsonl.gz", "--db", dir + "/s.db", "--model", model, "--concurrency", "32"],
            environment: sim.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try Fixtures.lines(dir + "/out.jsonl.gz")
        #expect(lines.count == 1000)
        for (index, line) in lines.enumerated() {
            let object = Fixtures.json(line)
            #expect(object["custom_id"] as? String == "r\(index)")
            let message = (object["result"] as? [String: Any])?["message"] as? [String: Any]
            let text = ((message?["content"] as? [[String: Any]])?.first)?["text"] as? String
            #expect(text == SimulatedModel.text(forBody: Fixtures.body(of: records[index], model: model)!))
            let servedBy = object["served_by"] as? [String: Any]
            #expect(servedBy?["tier"] as? String == "primary")
            #expect(servedBy?["model"] as? String == model)
        }
        #expect(try await sim.stats().requests == 1000)
    }

    @Test func aRerunOfAFinishedJobSendsNothingAndASharedHalfIsNotSentAgain() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        let first = Fixtures.records(200, prefix: "a")
        try Fixtures.write(first, to: dir + "/one.jsonl")
        let arguments = ["run", dir + "/one.jsonl", "-o", dir + "/one.out.jsonl", "--db", dir + "/s.db", "--model", model]
        #expect(try await promptline(arguments, environment: sim.environment).status == 0)
        #expect(try await sim.stats().requests == 200)
        let output = try String(contentsOfFile: dir + "/one.out.jsonl", encoding: .utf8)

        let rerun = try await promptline(arguments, environment: sim.environment)
        #expect(rerun.status == 0)
        #expect(try await sim.stats().requests == 200)
        #expect(try String(contentsOfFile: dir + "/one.out.jsonl", encoding: .utf8) == output)

        // Another job: the first 100 requests again under other ids, and 100 new ones.
        let second = Fixtures.records(100, prefix: "b") + Fixtures.records(200, prefix: "c", salt: "new-").suffix(100).map { $0 }
        try Fixtures.write(second, to: dir + "/two.jsonl")
        let result = try await promptline(
            ["run", dir + "/two.jsonl", "-o", dir + "/two.out.jsonl", "--db", dir + "/s.db", "--model", model],
            environment: sim.environment)
        #expect(result.status == 0)
        #expect(try await sim.stats().requests == 300)
        #expect(try Fixtures.lines(dir + "/two.out.jsonl").count == 200)
    }

    @Test func aKeyRepeatedInTheInputIsSentOnceAndWrittenTwice() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write(
            [#"{"id":"x","prompt":"same"}"#, #"{"id":"y","prompt":"other"}"#, #"{"prompt":"same","id":"z"}"#], to: dir + "/in.jsonl")
        let result = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model], environment: sim.environment)
        #expect(result.status == 0)
        #expect(try await sim.stats().requests == 2)
        let lines = try Fixtures.lines(dir + "/out.jsonl").map(Fixtures.json)
        #expect(lines.map { $0["custom_id"] as? String } == ["x", "y", "z"])
        #expect(lines[0]["key"] as? String == lines[2]["key"] as? String)
    }

    @Test func exportFromTheStoreReproducesTheOutputByteForByte() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        var records = Fixtures.records(300)
        records.insert("{not json", at: 17)
        try Fixtures.write(records, to: dir + "/in.jsonl.gz")
        let run = try await promptline(
            ["run", dir + "/in.jsonl.gz", "-o", dir + "/out.jsonl.gz", "--db", dir + "/s.db", "--model", model],
            environment: sim.environment)
        #expect(run.status == 1)
        let export = try await promptline(
            ["export", "--db", dir + "/s.db", dir + "/in.jsonl.gz", "-o", dir + "/export.jsonl.gz", "--model", model], environment: [:])
        #expect(export.status == 1, "\(export.stderr)")
        #expect(try Fixtures.lines(dir + "/export.jsonl.gz") == Fixtures.lines(dir + "/out.jsonl.gz"))
        #expect(try await sim.stats().requests == 300)

        // A rerun of the finished job is a no-op that exits 0, though the job holds an invalid line.
        let rerun = try await promptline(
            ["run", dir + "/in.jsonl.gz", "-o", dir + "/out.jsonl.gz", "--db", dir + "/s.db", "--model", model],
            environment: sim.environment)
        #expect(rerun.status == 0)
        #expect(rerun.stderr.contains("nothing to do"))
        #expect(try await sim.stats().requests == 300)
    }

    @Test func standardInputIsReadWhenTheInputIsADash() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(50), to: dir + "/in.jsonl.gz")
        let command = "\(Binaries.promptline) run - -o \(dir)/out.jsonl --db \(dir)/s.db --model \(model) < \(dir)/in.jsonl.gz"
        let result = try await ChildProcess("/bin/sh", ["-c", command], environment: sim.environment).wait()
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try Fixtures.lines(dir + "/out.jsonl").map(Fixtures.json)
        #expect(lines.map { $0["custom_id"] as? String } == (0..<50).map { "r\($0)" })
    }

    @Test func statusReportsTheStoreAndWhetherTheOutputIsComplete() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(20), to: dir + "/in.jsonl")
        _ = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model], environment: sim.environment)
        let status = try await promptline(["status", "--db", dir + "/s.db", "--output", dir + "/out.jsonl"], environment: [:])
        #expect(status.status == 0)
        #expect(status.stdout.contains("succeeded 20"))
        #expect(status.stdout.contains("out.jsonl: complete"))
    }
}
