import Foundation
import Testing

@testable import Promptline

/// Property tests of the input path (gzip detection and inflation, line splitting, record
/// parsing): every truncation and every single-byte flip of a few small inputs, plain and gzip,
/// gives records (valid, or invalid naming file and line) or one clear error naming the file;
/// never a crash, never a hang.
@Suite("Input mutations", .timeLimit(.minutes(5)))
struct InputMutationTests {
    static let seeds: [String: [UInt8]] = {
        let text = #"""
            {"custom_id":"r1","params":{"max_tokens":8,"messages":[{"role":"user","content":"Hi ☕"}]}}
            {"id":"r2","prompt":"say \"two\"","temperature":0.5,"team":"a"}
            {"messages":[{"role":"user","content":[{"type":"text","text":"x"}]}],"max_tokens":4}
            """# + "\r\n" + #"{"id":"r4","prompt":"1E2 \u00e9"}"#
        let plain = Array(("\u{FEFF}" + text + "\n").utf8)
        let second = Array(#"{"id":"r5","prompt":"second member"}"#.utf8) + [0x0A]
        return [
            "plain.jsonl": plain,
            "one.jsonl.gz": GzipFixtures.gzip(plain),
            "two-members.jsonl.gz": GzipFixtures.gzip(plain) + GzipFixtures.gzip(second),
        ]
    }()

    let directory: URL
    let parser = RecordParser(defaults: RecordDefaults(model: "claude-haiku-4-5", maxTokens: 16))

    init() throws {
        directory = try GzipFixtures.temporaryDirectory()
    }

    /// What reading one mutated file gave.
    struct Outcome {
        var valid = 0
        var invalid = 0
        var error: String?
    }

    /// Reads `bytes` as the file `name` and checks every line and fault names where it is.
    func read(_ bytes: [UInt8], name: String) throws -> Outcome {
        let path = try GzipFixtures.write(bytes, named: name, in: directory)
        var outcome = Outcome()
        do {
            var reader = try LineReader(path: path, maxLineBytes: 4096)
            var lines = 0
            while let line = try reader.next() {
                lines += 1
                #expect(lines <= 1 + bytes.count * 1100, "reading must end")
                if lines > 1 + bytes.count * 1100 { break }
                switch parser.parse(line) {
                case .valid(let record):
                    #expect(record.key.rawValue.hasPrefix("sha256:") && !record.body.isEmpty)
                    outcome.valid += 1
                case .invalid(let invalid):
                    #expect(invalid.line == line.number)
                    #expect(invalid.description.hasPrefix("\(path):\(line.number): "), "\(invalid)")
                    outcome.invalid += 1
                }
            }
        } catch {
            let message = "\(error)"
            #expect(message.hasPrefix("\(path): ") && !message.contains("\n"), "\(message)")
            outcome.error = message
        }
        return outcome
    }

    @Test("the unmutated inputs give their five or four records", arguments: seeds.keys.sorted())
    func seedsReadCleanly(name: String) throws {
        let outcome = try read(Self.seeds[name]!, name: name)
        #expect(outcome.error == nil)
        #expect(outcome.invalid == 0)
        #expect(outcome.valid == (name.hasPrefix("two") ? 5 : 4))
    }

    @Test("every truncation gives records or an error naming the file", arguments: seeds.keys.sorted())
    func everyTruncation(name: String) throws {
        let seed = Self.seeds[name]!
        var errors = 0
        let memberEnd = name.hasPrefix("two") ? GzipFixtures.gzip(Self.seeds["plain.jsonl"]!).count : -1
        for length in 0..<seed.count {
            let outcome = try read(Array(seed[0..<length]), name: name)
            if outcome.error != nil { errors += 1 }
            // Past the two magic bytes (before them the file is not known as gzip), except at a member boundary.
            if name.hasSuffix(".gz"), length >= 2, length != memberEnd {
                // A gzip stream cut anywhere inside is reported (never taken as complete).
                #expect(outcome.error != nil, "cut at \(length) of \(seed.count) was not reported")
            }
        }
        if !name.hasSuffix(".gz") { #expect(errors == 0, "a cut plain file is read as it stands") }
    }

    @Test("every single-byte flip gives records or an error naming the file", arguments: seeds.keys.sorted())
    func everyFlip(name: String) throws {
        let seed = Self.seeds[name]!
        var reported = 0
        for index in seed.indices {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var bytes = seed
                bytes[index] ^= mask
                let outcome = try read(bytes, name: name)
                if outcome.error != nil || outcome.invalid > 0 { reported += 1 }
            }
        }
        // Most flips are caught (gzip's CRC-32, JSON's grammar); the rest are still valid records.
        #expect(reported > seed.count)
    }
}
