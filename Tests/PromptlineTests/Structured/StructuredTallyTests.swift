import Testing

@testable import Promptline

@Suite struct StructuredTallyTests {
    private func presentation(_ kind: StructuredPresentation.Kind, extraRequests: Int = 0, extraTokens: Int = 0) -> StructuredPresentation {
        StructuredPresentation(kind: kind, fields: [], extraRequests: extraRequests, extraTokens: extraTokens)
    }

    @Test func refusedCutAndNotJSONRecordsAreTheOnesWithoutParsed() {
        var tally = StructuredTally()
        for kind in [StructuredPresentation.Kind.parsed, .parsed, .madeWhole, .refused, .cut, .unparsable, .errored] {
            tally.add(
                presentation(kind, extraRequests: kind == .madeWhole || kind == .cut ? 2 : 0, extraTokens: kind == .madeWhole ? 100 : 0))
        }
        #expect(tally.unparsed == 3)
        #expect(tally.extraRequests == 4)
        #expect(
            tally.humanLine
                == "  structured output: 3 parsed (1 cut at max_tokens and made whole by 4 extra requests, 100 tokens), 1 refused, 1 still cut at --max-tokens-cap, 1 not JSON, 1 errored"
        )
        #expect(!tally.isEmpty)
        #expect(StructuredTally().isEmpty)
    }

    @Test func answersStillCutAtTheCapPointToTheCap() {
        var summary = JobSummary()
        summary.stopReasons = ["max_tokens": 2]
        #expect(summary.maxTokensWarning == "2 records stopped at max_tokens; raise --max-tokens")
        var tally = StructuredTally()
        tally.add(presentation(.cut))
        summary.structured = tally
        #expect(summary.maxTokensWarning == "2 records stopped at max_tokens; raise --max-tokens-cap (JSON answers) or --max-tokens")
    }
}
