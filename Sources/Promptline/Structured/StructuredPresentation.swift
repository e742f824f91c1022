/// How a JSON request's answer appears in its output line, beyond the stored answer: built by
/// ``StructuredChain`` from stored answers alone (never stored itself), so `run` and `export`
/// write the same bytes.
struct StructuredPresentation: Sendable, Equatable {
    /// What the record got, for the summary's counts.
    enum Kind: String, Sendable, Codable {
        /// Parsed at the record's own `max_tokens`.
        case parsed
        /// Cut at first, parsed after `max_tokens` was raised.
        case madeWhole
        /// `stop_reason: "refusal"`.
        case refused
        /// Still cut at `--max-tokens-cap`.
        case cut
        /// A whole answer whose text is not JSON.
        case unparsable
        /// No answer (the request ended errored): counted as errored, not here.
        case errored
    }

    var kind: Kind
    /// `,"parsed":…` or `,"parse_error":…`, appended to the output line after `served_by`.
    var fields: [UInt8]
    /// Requests sent again with a raised `max_tokens`, and the tokens (in and out) their answers cost.
    var extraRequests = 0
    var extraTokens = 0
}
