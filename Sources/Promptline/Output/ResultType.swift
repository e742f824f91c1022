/// An output line's `result.type` (SPEC §5), spelled as its raw value: the summary counts records
/// by it (`records` in `--summary`).
enum ResultType: String, Sendable, CaseIterable, Codable, CodingKeyRepresentable {
    /// Answered: by a model, or by the stale or static tier.
    case succeeded
    /// Ended in an error every tier failed to serve.
    case errored
    /// The input line is not a usable record.
    case invalid
}
