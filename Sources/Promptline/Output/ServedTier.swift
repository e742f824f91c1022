/// The tier of the degradation chain that served a record: an output line's `served_by.tier`
/// (and the store's `tier` column, and the summary's `tiers`), spelled as its raw value.
enum ServedTier: String, Sendable, CaseIterable, Codable, CodingKeyRepresentable {
    /// The record's own model.
    case primary
    /// A `--fallback-model`.
    case fallback
    /// An earlier answer to the same messages under other parameters (`--allow-stale`).
    case stale
    /// The `--static-response` text.
    case `static`
    /// Nothing served it: errored or invalid.
    case none
}
