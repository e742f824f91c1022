import Foundation
import Testing

@testable import Promptline

/// `--output-schema` end to end against promptline-sim: parsed answers, cut ones made whole,
/// refusals flagged, the CSV export, and `export` reproducing the output byte for byte.
@Suite(.serialized, .timeLimit(.minutes(3)), .reportsFailures) struct StructuredOutputTests {
    let model = "claude-haiku-4-5"
    static let schema =
        #"{"type":"object","properties":{"label":{"type":"string","enum":["positive","negative","neutral"]},"score":{"type":"number"},"reason":{"type":"string"}},"required":["label","score","reason"],"additionalProperties":false}"#

    /// 40 reviews to label: every 10th with a `max_tokens` too small for the answer, every 13th refused.
    private func job(_ dir: String) throws {
        try Self.schema.write(toFile: dir + "/labels.json", atomically: true, encoding: .utf8)
        let lines = (0..<40).map { index in
            let refusal = index % 13 == 5 ? " [[sim:refusal]]" : ""
            let maxTokens = index % 10 == 3 ? #","max_tokens":8"# : ""
            return
                #"{"id":"review-\#(index)","prompt":"Label the sentiment of review \#(index): the café was great, \#(index) stars\#(refusal)"\#(maxTokens),"shop":"s\#(index % 4)"}"#
        }
        try Fixtures.write(lines, to: dir + "/in.jsonl.gz")
    }

    private func options(_ dir: String) -> [String] {
        [dir + "/in.jsonl.gz", "--db", dir + "/s.db", "--model", model, "--output-schema", dir + "/labels.json"]
    }

    @Test(.timeLimit(.minutes(3))) func aLabellingJobParsesMakesCutAnswersWholeFlagsRefusalsAndExportsCSV() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try job(dir)
        let run = try await promptline(
            ["run"] + options(dir) + ["-o", dir + "/out.jsonl", "--progress", "none", "--summary", dir + "/summary.json"],
            environment: sim.environment)
        // Three refused records got no parsed answer: the job did not fully succeed (SPEC §7).
        #expect(run.status == 1, "\(run.stderr.suffix(1500))")
        let lines = try Fixtures.lines(dir + "/out.jsonl")
        #expect(lines.count == 40)
        for (index, line) in lines.enumerated() {
            let json = Fixtures.json(line)
            let servedBy = json["served_by"] as? [String: Any] ?? [:]
            if index % 13 == 5 {
                #expect(json["parse_error"] as? String == "refusal", "\(line)")
                #expect(json["parsed"] == nil)
                continue
            }
            let parsed = try #require(json["parsed"] as? [String: Any], "\(line)")
            #expect(["positive", "negative", "neutral"].contains(parsed["label"] as? String ?? ""))
            #expect(parsed["score"] is NSNumber)
            #expect((parsed["reason"] as? String)?.isEmpty == false)
            #expect(json["parse_error"] == nil)
            if index % 10 == 3 {
                let raised = try #require(servedBy["max_tokens_raised"] as? [Int], "\(line)")
                #expect(raised.first == 8)
                #expect(raised.count >= 2)
            } else {
                #expect(servedBy["max_tokens_raised"] == nil)
            }
        }
        let summary = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as? [String: Any])
        let structured = try #require(summary["structured"] as? [String: Int])
        #expect(structured["parsed"] == 33)
        #expect(structured["madeWhole"] == 4)
        #expect(structured["refused"] == 3)
        #expect((structured["extraRequests"] ?? 0) >= 4)
        #expect(run.stderr.contains("structured output: 37 parsed"))

        // export rebuilds the same bytes from the store alone, following the raised requests.
        let before = try await sim.stats().requests
        let export = try await promptline(["export"] + options(dir) + ["-o", dir + "/again.jsonl"], environment: sim.environment)
        #expect(export.status == 1, "\(export.stderr)")
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: dir + "/again.jsonl")) == Data(contentsOf: URL(fileURLWithPath: dir + "/out.jsonl")))
        #expect(try await sim.stats().requests == before)

        let csv = try await promptline(
            ["export"] + options(dir) + [
                "-o", dir + "/labels.csv", "--format", "csv", "--columns",
                "id,parsed.label,parsed.score,parse_error,served_by.model,metadata.shop",
            ],
            environment: sim.environment)
        #expect(csv.status == 1, "\(csv.stderr)")
        let rows = try String(contentsOfFile: dir + "/labels.csv", encoding: .utf8).components(separatedBy: "\r\n").dropLast()
        #expect(rows.count == 41)
        #expect(rows.first == "id,parsed.label,parsed.score,parse_error,served_by.model,metadata.shop")
        #expect(rows[1].hasPrefix("review-0,"))
        #expect(rows[1].hasSuffix(",,\(model),s0"))
        #expect(rows[6] == "review-5,,,refusal,\(model),s1")
    }

    @Test(.timeLimit(.minutes(3))) func theBatchesBackendGivesTheSameParsedAnswers() async throws {
        let sim = try await Simulator(scenario: #"{"batches":{"processing_ms":100}}"#)
        let dir = Fixtures.directory()
        try job(dir)
        let run = try await promptline(
            ["run"] + options(dir) + ["-o", dir + "/out.jsonl", "--progress", "none", "--backend", "batches", "--poll-interval", "0.1"],
            environment: sim.environment)
        #expect(run.status == 1, "\(run.stderr.suffix(1500))")
        let lines = try Fixtures.lines(dir + "/out.jsonl").map(Fixtures.json)
        #expect(lines.count == 40)
        #expect(lines.filter { $0["parsed"] != nil }.count == 37)
        #expect(lines.filter { $0["parse_error"] as? String == "refusal" }.count == 3)
        #expect(lines.filter { ($0["served_by"] as? [String: Any])?["max_tokens_raised"] != nil }.count == 4)
    }

    /// Review 0 at max_tokens 4 is raised to 8, 16, 32: the requests reviews 1–3 make at their own
    /// max_tokens, sent together. Each request is paid once.
    @Test(.timeLimit(.minutes(1))) func aRaisedRequestThatIsAnotherRecordsRequestIsSentOnce() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Self.schema.write(toFile: dir + "/labels.json", atomically: true, encoding: .utf8)
        let lines = [4, 8, 16, 32].enumerated().map { index, maxTokens in
            #"{"id":"review-\#(index)","prompt":"Label the sentiment of this review: the café was great","max_tokens":\#(maxTokens)}"#
        }
        try Fixtures.write(lines, to: dir + "/in.jsonl.gz")
        let run = try await promptline(
            ["run"] + options(dir) + ["-o", dir + "/out.jsonl", "--progress", "none"], environment: sim.environment)
        #expect(run.status == 0, "\(run.stderr.suffix(1500))")
        #expect(try await sim.stats().requests == 4)
        let parsed = try Fixtures.lines(dir + "/out.jsonl").map { Fixtures.json($0)["parsed"] as? [String: Any] }
        #expect(parsed.allSatisfy { $0 != nil })
    }

    @Test(.timeLimit(.minutes(1))) func aSchemaTheAPIWouldRefuseStopsTheJobBeforeAnythingIsSent() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try job(dir)
        try #"{"type":"object","properties":{"label":{"type":"string"}},"required":["label"]}"#.write(
            toFile: dir + "/labels.json", atomically: true, encoding: .utf8)
        let run = try await promptline(["run"] + options(dir) + ["-o", dir + "/out.jsonl", "--no-preflight"], environment: sim.environment)
        #expect(run.status == 64)
        #expect(
            run.stderr.contains(
                "--output-schema \(dir)/labels.json: For 'object' type, 'additionalProperties' must be explicitly set to false"))
        #expect(try await sim.stats().requests == 0)
    }
}
