import Foundation
import Testing

@testable import Promptline

@Suite("LineReader")
struct LineReaderTests {
    let directory: URL

    init() throws {
        self.directory = try GzipFixtures.temporaryDirectory()
    }

    /// Every line of `path`, and the error that ended reading, if any.
    private func readAll(_ path: String, maxLineBytes: Int = 1 << 20) throws -> (lines: [InputLine], error: InputError?) {
        var reader = try LineReader(path: path, maxLineBytes: maxLineBytes)
        var lines: [InputLine] = []
        do {
            while let line = try reader.next() {
                lines.append(line)
            }
        } catch {
            #expect(try reader.next() == nil, "reading goes on after the fault")
            return (lines, error)
        }
        #expect(reader.bytesRead == reader.fileSize)
        return (lines, nil)
    }

    private func texts(_ lines: [InputLine]) -> [String] {
        lines.map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    private static func records(_ count: Int, from first: Int = 1) -> [UInt8] {
        var text = ""
        for index in first..<(first + count) {
            text += #"{"id":"r\#(index)","prompt":"say \#(index * 7919 % 1000) twice"}"# + "\n"
        }
        return Array(text.utf8)
    }

    @Test func plainAndGzipGiveTheSameLines() throws {
        let content = Self.records(1000)
        let plain = try self.readAll(GzipFixtures.write(content, named: "p.jsonl", in: self.directory))
        let gzip = try self.readAll(GzipFixtures.write(GzipFixtures.gzip(content), named: "p.jsonl.gz", in: self.directory))
        #expect(plain.error == nil)
        #expect(gzip.error == nil)
        #expect(plain.lines.count == 1000)
        #expect(self.texts(plain.lines) == self.texts(gzip.lines), "plain and gzip lines differ")
        #expect(gzip.lines.map(\.number) == Array(1...1000), "line numbers are not 1...1000")
        #expect(gzip.lines.first?.file.hasSuffix("p.jsonl.gz") == true)
    }

    @Test func concatenatedGzipMembersReadAsOneStream() throws {
        let first = Self.records(300)
        let second = Self.records(200, from: 301)
        let path = try GzipFixtures.write(
            GzipFixtures.gzip(first) + GzipFixtures.gzip(second) + GzipFixtures.gzip([]),
            named: "members.gz", in: self.directory)
        let result = try self.readAll(path)
        #expect(result.error == nil)
        #expect(
            self.texts(result.lines)
                == self.texts(
                    try self.readAll(
                        GzipFixtures.write(first + second, named: "joined.jsonl", in: self.directory)
                    ).lines))
        #expect(result.lines.last?.number == 500)
    }

    @Test func detectsGzipByItsMagicBytesNotByTheFileName() throws {
        let content = Array("{\"a\":1}\n".utf8)
        let gzipNamedPlain = try self.readAll(
            GzipFixtures.write(GzipFixtures.gzip(content), named: "data.jsonl", in: self.directory))
        let plainNamedGzip = try self.readAll(GzipFixtures.write(content, named: "data.jsonl.gz", in: self.directory))
        #expect(self.texts(gzipNamedPlain.lines) == ["{\"a\":1}"])
        #expect(self.texts(plainNamedGzip.lines) == ["{\"a\":1}"])
    }

    @Test(arguments: [false, true])
    func acceptsCRLFAByteOrderMarkBlankLinesAndAMissingFinalNewline(gzip: Bool) throws {
        let text = "\u{FEFF}{\"a\":1}\r\n\r\n   \t\n\n{\"b\":2}\r\n  {\"c\":3}  \n{\"d\":4}"
        let content = Array(text.utf8)
        let path = try GzipFixtures.write(gzip ? GzipFixtures.gzip(content) : content, named: "mixed", in: self.directory)
        let result = try self.readAll(path)
        #expect(result.error == nil)
        #expect(self.texts(result.lines) == ["{\"a\":1}", "{\"b\":2}", "  {\"c\":3}  ", "{\"d\":4}"])
        #expect(result.lines.map(\.number) == [1, 5, 6, 7])
        #expect(result.lines.allSatisfy { $0.tooLong == nil })
    }

    @Test func readsAnEmptyFileAsNoLines() throws {
        let result = try self.readAll(GzipFixtures.write([], named: "empty", in: self.directory))
        #expect(result.lines.isEmpty)
        #expect(result.error == nil)
    }

    @Test(arguments: [false, true])
    func reportsALineLongerThanTheMaximumAndReadsOn(gzip: Bool) throws {
        let long = String(repeating: "x", count: 1_000_000)
        let text = "{\"a\":1}\n\(long)\r\n1234567890\r\n12345678901\n{\"b\":2}\n\(long)"
        let content = Array(text.utf8)
        let path = try GzipFixtures.write(gzip ? GzipFixtures.gzip(content) : content, named: "long", in: self.directory)
        let result = try self.readAll(path, maxLineBytes: 10)
        #expect(result.error == nil)
        #expect(result.lines.map(\.number) == [1, 2, 3, 4, 5, 6])
        #expect(result.lines.map(\.tooLong) == [nil, 1_000_000, nil, 11, nil, 1_000_000])
        #expect(self.texts(result.lines) == ["{\"a\":1}", "", "1234567890", "", "{\"b\":2}", ""])
    }

    @Test func aTruncatedGzipYieldsEveryCompleteLineThenThrowsNamingTheByteOffset() throws {
        let content = Self.records(20_000)
        let compressed = GzipFixtures.gzip(content)
        let cut = compressed.count / 2
        let path = try GzipFixtures.write(Array(compressed[..<cut]), named: "cut.jsonl.gz", in: self.directory)
        let result = try self.readAll(path)
        let error = try #require(result.error)
        #expect(error.code == .truncatedGzip)
        #expect(error.byteOffset == cut)
        #expect(error.description == "\(path): gzip stream truncated at byte \(cut)")
        let expected = self.texts(try self.readAll(GzipFixtures.write(content, named: "all", in: self.directory)).lines)
        #expect(result.lines.count > 5000)
        #expect(self.texts(result.lines) == Array(expected.prefix(result.lines.count)), "not a prefix of the lines")
        #expect(result.lines.map(\.number) == Array(1...result.lines.count), "line numbers are not consecutive")
    }

    @Test func aCorruptGzipYieldsEveryLineBeforeTheFaultThenThrowsNamingTheByteOffset() throws {
        let content = Self.records(10_000)
        let first = GzipFixtures.gzip(content)
        var second = GzipFixtures.gzip(Self.records(10, from: 10_001))
        second[3] = 0xFF  // Reserved flag bits: zlib rejects the header at once.
        let path = try GzipFixtures.write(first + second, named: "bad.jsonl.gz", in: self.directory)
        let result = try self.readAll(path)
        let error = try #require(result.error)
        #expect(error.code == .corruptGzip)
        #expect(error.byteOffset == first.count + 4)
        #expect(error.description == "\(path): corrupt gzip data (unknown header flags set) at byte \(first.count + 4)")
        let expected = self.texts(try self.readAll(GzipFixtures.write(content, named: "all", in: self.directory)).lines)
        #expect(result.lines.count == 10_000)
        #expect(self.texts(result.lines) == expected, "the lines before the fault differ")
    }

    @Test func damagedDeflateDataIsCorruptionNamingTheByteOffset() throws {
        var compressed = GzipFixtures.gzip(Self.records(20_000))
        let damage = compressed.count / 2
        for offset in damage..<(damage + 64) {
            compressed[offset] ^= 0x5A
        }
        let path = try GzipFixtures.write(compressed, named: "damaged.jsonl.gz", in: self.directory)
        let result = try self.readAll(path)
        let error = try #require(result.error)
        #expect(error.code == .corruptGzip)
        let offset = try #require(error.byteOffset)
        #expect(offset >= damage && offset <= compressed.count)
        #expect(error.description.hasPrefix("\(path): corrupt gzip data ("))
        #expect(error.description.hasSuffix(") at byte \(offset)"))
        #expect(result.lines.map(\.number) == Array(1...result.lines.count), "line numbers are not consecutive")
    }

    @Test func bytesAfterAGzipMemberThatStartNoMemberAreCorruption() throws {
        let compressed = GzipFixtures.gzip(Array("{\"a\":1}\n".utf8))
        let path = try GzipFixtures.write(compressed + [0, 0, 0, 0], named: "padded.gz", in: self.directory)
        let result = try self.readAll(path)
        #expect(self.texts(result.lines) == ["{\"a\":1}"])
        #expect(result.error?.code == .corruptGzip)
        #expect(result.error?.byteOffset.map { $0 > compressed.count - 1 } == true)
    }

    @Test func aMissingFileIsUnreadableNamingTheFileAndTheReason() throws {
        let path = self.directory.appendingPathComponent("missing.jsonl").path
        #expect {
            _ = try LineReader(path: path, maxLineBytes: 100)
        } throws: { error in
            let error = error as? InputError
            return error?.code == .unreadable
                && error?.description == "\(path): cannot open: No such file or directory"
        }
    }

    @Test func aDirectoryIsUnreadable() throws {
        #expect {
            _ = try LineReader(path: self.directory.path, maxLineBytes: 100)
        } throws: { error in
            (error as? InputError)?.description == "\(self.directory.path): cannot read: is a directory"
        }
    }

    @Test(arguments: [false, true])
    func streamsALargeInputWithTheRightCount(gzip: Bool) throws {
        let count = 200_000
        let content = Self.records(count)
        let path = try GzipFixtures.write(gzip ? GzipFixtures.gzip(content) : content, named: "large", in: self.directory)
        var reader = try LineReader(path: path, maxLineBytes: 1024)
        var seen = 0
        var lastNumber = 0
        while let line = try reader.next() {
            seen += 1
            lastNumber = line.number
            #expect(line.bytes.first == UInt8(ascii: "{") && line.bytes.last == UInt8(ascii: "}"))
        }
        #expect(seen == count)
        #expect(lastNumber == count)
        #expect(reader.bytesRead == reader.fileSize)
    }
}

@Suite("InputError")
struct InputErrorTests {
    @Test(arguments: [
        (
            InputError(code: .truncatedGzip, file: "p.gz", byteOffset: 1234, message: "gzip stream truncated"),
            "p.gz: gzip stream truncated at byte 1234"
        ),
        (InputError(code: .unreadable, file: "p.gz", line: 50, message: "line is too long"), "p.gz:50: line is too long"),
        (
            InputError(code: .unreadable, file: "<stdin>", message: "cannot read: Bad file descriptor"),
            "<stdin>: cannot read: Bad file descriptor"
        ),
    ])
    func describesItselfOnOneLine(error: InputError, expected: String) {
        #expect(error.description == expected)
        #expect(!error.description.contains("\n"))
    }
}
