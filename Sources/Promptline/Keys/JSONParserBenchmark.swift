import Foundation

/// `make bench`'s microbenchmark of the JSON parser against Foundation's `JSONDecoder`, on input
/// lines of the three record shapes and on Messages API response bodies: one markdown row per
/// case, lines per second and nanoseconds per line, best of five passes (run a release build).
public enum JSONParserBenchmark {
    /// Runs every case and returns its rows.
    public static func run() -> [String] {
        let lineDecoder = JSONLineDecoder()
        let foundation = JSONDecoder()
        let cases: [(String, Double)] = [
            ("input line → JSONValue, promptline's JSONParser", measure(inputLines) { (try? lineDecoder.decode($0)) != nil }),
            (
                "input line → JSONValue, Foundation JSONDecoder",
                measure(inputLines) { (try? foundation.decode(JSONValue.self, from: Data($0))) != nil }
            ),
            (
                "response body → the fields read (MessageResponse.parse, JSONParser)",
                measure(responseBodies) { MessageResponse.parse($0) != nil }
            ),
            (
                "response body → the same fields, Foundation JSONDecoder (Codable)",
                measure(responseBodies) { (try? foundation.decode(Response.self, from: Data($0))) != nil }
            ),
        ]
        return cases.map { name, nanoseconds in
            "| \(name) | \(Int(1e9 / nanoseconds).formatted()) lines/s | \(Int(nanoseconds.rounded())) ns/line |"
        }
    }

    private static let inputLines: [[UInt8]] = (0..<3000).map { index in
        let prompt = "Question \(index): summarise record \(index) of the ledger — café ☕ naïve"
        let text: String =
            switch index % 3 {
            case 0: #"{"custom_id":"r\#(index)","params":{"max_tokens":64,"messages":[{"role":"user","content":"\#(prompt)"}]}}"#
            case 1: #"{"id":"r\#(index)","prompt":"\#(prompt)","temperature":0.5}"#
            default: #"{"messages":[{"role":"user","content":[{"type":"text","text":"\#(prompt)"}]}],"max_tokens":32}"#
            }
        return Array(text.utf8)
    }

    private static let responseBodies: [[UInt8]] = (0..<3000).map { index in
        Array(
            #"""
            {"id":"msg_\#(index)abcdef","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[{"type":"text","text":"Answer \#(index): the ledger's record \#(index) shows a balance carried forward, with two entries reconciled and one pending review — café ☕."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":\#(40 + index % 17),"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":\#(30 + index % 11),"service_tier":"standard"}}
            """#.utf8)
    }

    /// The fields of a response promptline reads, for `JSONDecoder`.
    private struct Response: Decodable {
        struct Usage: Decodable {
            var input_tokens: Int
            var output_tokens: Int
            var cache_creation_input_tokens: Int?
            var cache_read_input_tokens: Int?
        }
        struct Block: Decodable { var type: String }
        var id: String
        var type: String
        var model: String
        var content: [Block]
        var usage: Usage
        var stop_reason: String?
    }

    /// Nanoseconds per line of `body` over `lines`, best of five passes.
    private static func measure(_ lines: [[UInt8]], _ body: ([UInt8]) -> Bool) -> Double {
        var best = Double.infinity
        for _ in 0..<5 {
            let start = ContinuousClock.now
            var ok = 0
            for line in lines where body(line) { ok += 1 }
            precondition(ok == lines.count, "a line failed to parse")
            best = min(best, (ContinuousClock.now - start).seconds * 1e9 / Double(lines.count))
        }
        return best
    }
}
