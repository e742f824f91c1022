import Foundation
import Testing

@testable import Promptline

@Suite struct OutputWriterTests {
    let directory = TemporaryDirectory()

    private func lines(_ path: String) throws -> [String] {
        var reader = try LineReader(path: path, maxLineBytes: 1 << 20)
        var result: [String] = []
        while let line = try reader.next() { result.append(String(decoding: line.bytes, as: UTF8.self)) }
        return result
    }

    private func line(_ text: String) -> [UInt8] { Array((text + "\n").utf8) }

    @Test(arguments: ["out.jsonl", "out.jsonl.gz"])
    func theFinalPathAppearsOnlyWhenComplete(name: String) async throws {
        let path = directory.file(name)
        let writer = try OutputWriter(path: path, resumeOffset: 0)
        try await writer.write([line("a"), line("b")])
        _ = try await writer.checkpoint()
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(FileManager.default.fileExists(atPath: path + ".partial"))
        _ = try await writer.finish()
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: path + ".partial"))
        #expect(try lines(path) == ["a", "b"])
    }

    @Test(arguments: ["out.jsonl", "out.jsonl.gz"])
    func aResumeTruncatesToTheCheckpointAndAppends(name: String) async throws {
        let path = directory.file(name)
        let first = try OutputWriter(path: path, resumeOffset: 0)
        try await first.write([line("a"), line("b")])
        let offset = try await first.checkpoint()
        try await first.write([line("lost-1"), line("lost-2")])  // written after the checkpoint, then a crash
        _ = try await first.checkpoint()
        await first.abandon()

        let resumed = try OutputWriter(path: path, resumeOffset: offset)
        #expect(await resumed.resumedAt == offset)
        try await resumed.write([line("c")])
        _ = try await resumed.finish()
        #expect(try lines(path) == ["a", "b", "c"])
    }

    @Test func anEmptyGzipOutputIsStillAValidGzipFile() async throws {
        let path = directory.file("empty.jsonl.gz")
        let writer = try OutputWriter(path: path, resumeOffset: 0)
        _ = try await writer.finish()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Array(bytes.prefix(2)) == [0x1f, 0x8b])
        #expect(try lines(path).isEmpty)
    }

    @Test func aPartialFileShorterThanTheCheckpointStartsOver() async throws {
        let path = directory.file("out.jsonl")
        let writer = try OutputWriter(path: path, resumeOffset: 1000)
        #expect(await writer.resumedAt == 0)
        await writer.abandon()
    }
}
