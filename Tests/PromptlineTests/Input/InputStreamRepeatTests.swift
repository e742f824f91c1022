import Foundation
import Testing

@testable import Promptline

@Suite("InputStream repeated custom_ids")
struct InputStreamRepeatTests {
    @Test func aRepeatedCustomIDIsInvalidAcrossBatchesAndFilesAndDistinctIDsNeverAre() async throws {
        let directory = try GzipFixtures.temporaryDirectory()
        var first = ""
        for index in 0..<600 { first += #"{"id":"r\#(index)","prompt":"p\#(index)"}"# + "\n" }
        first += #"{"id":"r5","prompt":"again"}"# + "\n"
        let second =
            #"{"custom_id":"r599","params":{"messages":[{"role":"user","content":"x"}]}}"# + "\n"
            + #"{"id":"r600","prompt":"new"}"# + "\n" + #"{"prompt":"no id: line-3 is never a repeat"}"# + "\n"
        let a = try GzipFixtures.write(Array(first.utf8), named: "a.jsonl", in: directory)
        let b = try GzipFixtures.write(GzipFixtures.gzip(Array(second.utf8)), named: "b.jsonl.gz", in: directory)
        let input = InputStream(paths: [a, b], defaults: RecordDefaults(model: "m"), maxLineBytes: 4096, strict: false)
        var invalid: [String] = []
        var valid = 0
        while let batch = await input.nextBatch(limit: 256) {
            for record in batch {
                switch record {
                case .valid: valid += 1
                case .invalid(let record): invalid.append(record.description)
                }
            }
        }
        #expect(valid == 602)
        #expect(
            invalid == [
                "\(a):601: custom_id \"r5\" repeats an earlier record's",
                "\(b):1: custom_id \"r599\" repeats an earlier record's",
            ])
    }
}
