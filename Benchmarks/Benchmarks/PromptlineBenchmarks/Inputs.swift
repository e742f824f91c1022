import Foundation
import Promptline
import PromptlineJSON

/// What the benchmarks read: 1,000 of each, so that one iteration of a benchmark scaled `.kilo`
/// takes each once and its figures read per line (or per record, or per body).
enum Inputs {
    static let count = 1000

    /// Input lines as `make bench`'s `scripts/gen_records.py` writes them: the three record shapes
    /// in turn, each with a prompt of about 70 bytes holding accented letters and an emoji.
    static let lines: [[UInt8]] = (0..<count).map { index in
        let prompt = "Question \(index): summarise record \(index) of the ledger — café ☕ naïve"
        let text: String =
            switch index % 3 {
            case 0: #"{"custom_id":"r\#(index)","params":{"max_tokens":64,"messages":[{"role":"user","content":"\#(prompt)"}]}}"#
            case 1: #"{"id":"r\#(index)","prompt":"\#(prompt)","temperature":0.5}"#
            default: #"{"messages":[{"role":"user","content":[{"type":"text","text":"\#(prompt)"}]}],"max_tokens":32}"#
            }
        return Array(text.utf8)
    }

    /// Messages API response bodies of about 500 bytes, as the simulator answers.
    static let responseBodies: [[UInt8]] = (0..<count).map { index in
        Array(
            #"""
            {"id":"msg_\#(index)abcdef","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[{"type":"text","text":"Answer \#(index): the ledger's record \#(index) shows a balance carried forward, with two entries reconciled and one pending review — café ☕."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":\#(40 + index % 17),"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":\#(30 + index % 11),"service_tier":"standard"}}
            """#.utf8)
    }

    /// The record defaults of `make bench`'s runs (`--model claude-haiku-4-5`).
    static let defaults = RecordDefaults(model: "claude-haiku-4-5")

    /// ``lines`` as a gzip file (zlib level 1, as `gen_records.py` writes), in a directory of its own.
    static let gzipFile: URL = FileManager.default.temporaryDirectory
        .appendingPathComponent("promptline-benchmarks-\(ProcessInfo.processInfo.processIdentifier)")
        .appendingPathComponent("records.jsonl.gz")

    /// ``lines`` as `LineReader` hands them over, read once from ``gzipFile``.
    static let inputLines: [InputLine] = {
        try! writeGzipFile()
        defer { try? removeGzipFile() }
        return try! readGzipFile()
    }()

    /// The effective Messages API body of each line's record (defaults filled in), as
    /// `RecordParser` makes it: what a request key is computed from.
    static let bodies: [JSONValue] = inputLines.map { line in
        guard case .valid(let record) = RecordParser(defaults: defaults).parse(line) else {
            preconditionFailure("line \(line.number) is not a valid record")
        }
        return try! record.body.withUnsafeBufferPointer { body throws(InvalidJSONError) in try JSONParser.parse(body) }
    }

    /// Every line of ``gzipFile``.
    static func readGzipFile() throws(InputError) -> [InputLine] {
        var reader = try LineReader(path: self.gzipFile.path, maxLineBytes: 1 << 20)
        var lines: [InputLine] = []
        while let line = try reader.next() {
            lines.append(line)
        }
        return lines
    }

    /// Writes ``gzipFile`` with the system's `gzip`.
    static func writeGzipFile() throws {
        let directory = self.gzipFile.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let plain = directory.appendingPathComponent("records.jsonl")
        try Data(self.lines.joined(separator: [UInt8(ascii: "\n")]) + [UInt8(ascii: "\n")]).write(to: plain)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-1", "-f", plain.path]
        try gzip.run()
        gzip.waitUntilExit()
        guard gzip.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Removes ``gzipFile`` and its directory.
    static func removeGzipFile() throws {
        try FileManager.default.removeItem(at: self.gzipFile.deletingLastPathComponent())
    }
}
