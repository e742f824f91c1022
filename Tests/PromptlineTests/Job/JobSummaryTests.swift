import Foundation
import Testing

@testable import Promptline

@Suite("JobSummary")
struct JobSummaryTests {
    /// The summary as `--summary` writes it (key-sorted; compact here, so one line to match).
    private func json(_ summary: JobSummary) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(summary), as: UTF8.self)
    }

    @Test("the summary JSON spells result types, tiers and bindings as before, and the exit status as its code")
    func typedValuesEncodeAsTheContractStrings() throws {
        var summary = JobSummary()
        summary.exitCode = .someRecordsFailed
        summary.rateLimitsByModel = ["m": ModelLimits(limits: ["input_tokens": 1000], binding: .inputTokens)]
        summary.records = [.succeeded: 2, .errored: 1, .invalid: 1]
        summary.tiers = [.primary: 1, .fallback: 1, .stale: 1, .static: 1, ServedTier.none: 2]
        let text = try json(summary)
        #expect(text.contains(#""records":{"errored":1,"invalid":1,"succeeded":2}"#))
        #expect(text.contains(#""tiers":{"fallback":1,"none":2,"primary":1,"stale":1,"static":1}"#))
        #expect(text.contains(#""exitCode":1,"#))
        #expect(text.contains(#""rateLimitsByModel":{"m":{"binding":"input_tokens","limits":{"input_tokens":1000}}}"#))
    }

    @Test("the human summary names counts, tiers and bindings as the JSON does")
    func theHumanSummarySpellsTypedValuesAsTheJSONDoes() {
        var summary = JobSummary()
        summary.records = [.succeeded: 2, .invalid: 1]
        summary.tiers = [.fallback: 2, ServedTier.none: 1]
        summary.rateLimitsByModel = ["m": ModelLimits(limits: ["output_tokens": 80], binding: .outputTokens)]
        let text = summary.humanDescription
        #expect(text.contains("3 records: invalid 1, succeeded 2; tiers: fallback 2, none 1"))
        #expect(text.contains("rate limits of m: output_tokens 80/min; binding: output_tokens"))
    }

    @Test("a summary an earlier version stored reads back with its counts typed")
    func aStoredSummaryDecodes() throws {
        let stored = #"""
            {"breakerTrips":0,"concurrencyWindow":4,"costByModel":{},"costUSD":0,"exitCode":1,"inputTokens":0,
            "interruptedKeys":0,"output":"out.jsonl","outputComplete":true,"outputTokens":0,"rateLimited":0,
            "rateLimitsByModel":{"m":{"binding":"pause","limits":{"requests":50}}},
            "records":{"errored":1,"succeeded":3},"recordsPerSecond":1,"requestsSent":4,"retries":0,"reusedFromStore":0,
            "tiers":{"none":1,"primary":3},"tokensByModel":{},"wallSeconds":4}
            """#
        let summary = try JSONDecoder().decode(JobSummary.self, from: Data(stored.utf8))
        #expect(summary.records == [.succeeded: 3, .errored: 1])
        #expect(summary.tiers == [.primary: 3, ServedTier.none: 1])
        #expect(summary.exitCode == .someRecordsFailed)
        #expect(summary.rateLimitsByModel?["m"]?.binding == .pause)
    }
}
