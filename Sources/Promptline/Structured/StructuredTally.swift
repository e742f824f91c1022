/// The summary's counts of the records that asked for JSON: what their output lines show.
struct StructuredTally: Sendable, Codable, Equatable {
    /// Parsed at the record's own `max_tokens`.
    var parsed = 0
    /// Cut at first, parsed after `max_tokens` was raised.
    var madeWhole = 0
    /// `stop_reason: "refusal"`.
    var refused = 0
    /// Still cut at `--max-tokens-cap`.
    var cut = 0
    /// A whole answer whose text is not JSON.
    var unparsable = 0
    /// No answer (errored; also in the records' `errored` count).
    var errored = 0
    /// Requests sent again with a raised `max_tokens`, and the tokens (in and out) their answers cost.
    var extraRequests = 0
    var extraTokens = 0

    /// Records with an answer but no `parsed`: not a success (exit 1, SPEC §7).
    var unparsed: Int { refused + cut + unparsable }

    var isEmpty: Bool { self == StructuredTally() }

    mutating func add(_ presentation: StructuredPresentation) {
        switch presentation.kind {
        case .parsed: parsed += 1
        case .madeWhole: madeWhole += 1
        case .refused: refused += 1
        case .cut: cut += 1
        case .unparsable: unparsable += 1
        case .errored: errored += 1
        }
        extraRequests += presentation.extraRequests
        extraTokens += presentation.extraTokens
    }

    /// One line of the human summary.
    var humanLine: String {
        "  structured output: \(parsed + madeWhole) parsed (\(madeWhole) cut at max_tokens and made whole by \(extraRequests) extra requests, \(extraTokens) tokens), "
            + "\(refused) refused, \(cut) still cut at --max-tokens-cap, \(unparsable) not JSON, \(errored) errored"
    }
}
