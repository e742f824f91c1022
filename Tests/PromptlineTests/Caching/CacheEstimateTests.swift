import Foundation
import Testing

@testable import Promptline

@Suite struct CacheEstimateTests {
    let directory = TemporaryDirectory()

    @Test func aPrefixSentByTenRecordsIsWrittenOnceAndReadEightTimes() {
        var tally = CacheEstimate.Tally()
        let shared = CachePrefix.Level(id: CachePrefix.ID(digest: [1]), anchor: .system, tokens: 6000, bytes: 24000)
        let alone = CachePrefix.Level(id: CachePrefix.ID(digest: [2]), anchor: .system, tokens: 6000, bytes: 24000)
        for _ in 0..<10 { tally.add(shared, model: "claude-sonnet-4-5") }
        tally.add(alone, model: "claude-sonnet-4-5")
        let estimate = CacheEstimate(tally, prices: .builtIn)
        #expect(estimate.prefixes == 1)
        #expect(estimate.writeTokens == 6000)
        #expect(estimate.readTokens == 8 * 6000)
        // Sonnet 4.5 input at $3: 9 plain sends of the prefix against one 1.25× write and eight 0.1× reads.
        #expect(abs(estimate.savedUSD - (9 - 1.25 - 0.8) * 6000 * 3 / 1_000_000) < 1e-12)
        #expect(abs(estimate.batchSavedUSD - (9 - 2 - 0.8) * 6000 * 3 / 2 / 1_000_000) < 1e-12)
    }

    @Test func theDryRunReportsWhatCachingWouldSave() async throws {
        let input = directory.file("in.jsonl")
        let lines = (0..<10).map { #"{"id":"r\#($0)","prompt":"ticket \#($0)"}"# }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: input))
        var options = JobOptions(
            inputs: [input], output: directory.file("out.jsonl"),
            defaults: RecordDefaults(model: "claude-sonnet-4-5", system: CachePrefixTests.longText))
        var report = try await DryRun(options: options, store: try Store(path: directory.file("s.db"))).run()
        #expect(report.promptCache.prefixes == 1)
        #expect(report.promptCache.readTokens > 0)
        #expect(report.text.contains("prompt cache: 1 shared prefixes"))
        options.promptCache = .off
        report = try await DryRun(options: options, store: try Store(path: directory.file("s2.db"))).run()
        #expect(report.promptCache.prefixes == 0)
        #expect(!report.text.contains("prompt cache"))
    }
}
