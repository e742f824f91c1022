import Foundation
@testable import PromptlineSim

@testable import Promptline

/// Input files and output readers for the integration tests.
enum Fixtures {
    /// Where the tests' temporary directories are made.
    static let directoryPrefix = NSTemporaryDirectory() + "promptline-it-"

    /// A fresh temporary directory (removed when the test passes).
    static func directory() -> String {
        let path = directoryPrefix + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        FailureReport.current?.register(temporary: path)
        return path
    }

    /// `count` records cycling through the three record shapes, with unicode text.
    static func records(_ count: Int, prefix: String = "r", salt: String = "") -> [String] {
        (0..<count).map { index in
            let prompt = "Question \(salt)\(index): what is \(index) × 7? ☕ café"
            switch index % 3 {
            case 0:
                return
                    #"{"custom_id":"\#(prefix)\#(index)","params":{"max_tokens":64,"messages":[{"role":"user","content":"\#(prompt)"}]}}"#
            case 1: return #"{"id":"\#(prefix)\#(index)","prompt":"\#(prompt)","temperature":0.5}"#
            default:
                return
                    #"{"custom_id":"\#(prefix)\#(index)","params":{"messages":[{"role":"user","content":[{"type":"text","text":"\#(prompt)"}]}]}}"#
            }
        }
    }

    /// Writes lines as a file, gzip-compressed when the name ends in `.gz`.
    static func write(_ lines: [String], to path: String) throws {
        let text = Array((lines.joined(separator: "\n") + "\n").utf8)
        if path.hasSuffix(".gz") {
            let deflater = try GzipDeflater()
            var bytes: [UInt8] = []
            deflater.compress(text, into: &bytes)
            deflater.finishMember(into: &bytes)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } else {
            try Data(text).write(to: URL(fileURLWithPath: path))
        }
    }

    /// The lines of an output file (gzip or plain).
    static func lines(_ path: String) throws -> [String] {
        var reader = try LineReader(path: path, maxLineBytes: 64 << 20)
        var lines: [String] = []
        while let line = try reader.next() { lines.append(String(decoding: line.bytes, as: UTF8.self)) }
        return lines
    }

    /// Parses an output line.
    static func json(_ line: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }

    /// The request body promptline sends for an input line (the canonical params), as the record parser builds it.
    static func body(of line: String, model: String, number: Int = 1) -> [UInt8]? {
        let parser = RecordParser(defaults: RecordDefaults(model: model))
        guard case .valid(let record) = parser.parse(InputLine(file: "t", number: number, bytes: Array(line.utf8), tooLong: nil)) else {
            return nil
        }
        return record.body
    }

    /// The simulator's fingerprint of an input line's request.
    static func fingerprint(of line: String, model: String) -> String {
        SimulatedModel.fingerprint(body: body(of: line, model: model)!)
    }
}
