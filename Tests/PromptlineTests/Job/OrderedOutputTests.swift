import Foundation
import Testing

@testable import Promptline

/// The output side of a job: lines written in order, and checkpoints every 2,000 lines or 2 s.
@Suite("OrderedOutput")
struct OrderedOutputTests {
    @Test func aCheckpointIsDueAfterTwoThousandLinesOrTwoSecondsWithLinesWritten() {
        #expect(OrderedOutput.isCheckpointDue(linesSince: 2000, timeSince: .zero))
        #expect(!OrderedOutput.isCheckpointDue(linesSince: 1999, timeSince: .seconds(2)))
        #expect(OrderedOutput.isCheckpointDue(linesSince: 1, timeSince: .seconds(2.01)))
        #expect(!OrderedOutput.isCheckpointDue(linesSince: 0, timeSince: .seconds(3600)))
    }

    @Test func flushingWritesReadyLinesAndSavesProgressOnlyWhenACheckpointIsDueOrForced() async throws {
        let directory = NSTemporaryDirectory() + "promptline-oo-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/out.jsonl"
        let store = try Store(path: directory + "/store.sqlite")
        try await store.beginJob(output: path, fingerprint: "f", inputs: [])
        var output = OrderedOutput(
            window: WindowState(skip: 0), writer: try OutputWriter(path: path, resumeOffset: 0), store: store, path: path, start: .at(100))
        func admitInvalid(_ count: Int) {
            for line in 0..<count {
                let invalid = InvalidRecord(customID: "line-\(line)", file: "in.jsonl", line: line, message: "invalid JSON")
                _ = output.window.admit(.invalid(invalid), stored: [:])
            }
        }
        func saved() async throws -> Int { try await store.checkpoint(output: path)?.recordsWritten ?? -1 }

        admitInvalid(3)
        try await output.flush(at: .at(101))
        #expect(output.written == 3)
        #expect(try await saved() == 0)  // 3 lines, 1 s: not yet
        try await output.flush(at: .at(102.5))
        #expect(try await saved() == 3)  // 2.5 s since the start with lines written
        admitInvalid(2000)
        try await output.flush(at: .at(102.6))
        #expect(try await saved() == 2003)  // 2,000 lines
        admitInvalid(1)
        try await output.flush(at: .at(102.7))
        #expect(try await saved() == 2003)
        try await output.flush(at: .at(102.7), force: true)
        #expect(try await saved() == 2004)
        let checkpoint = try #require(try await store.checkpoint(output: path))
        let size = try FileManager.default.attributesOfItem(atPath: path + ".partial")[.size] as? Int
        #expect(checkpoint.outputOffset == size)
        await output.abandon()
    }
}
