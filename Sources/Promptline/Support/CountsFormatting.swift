/// `"a 1, b 2"`: counts by name, sorted by name, for human summaries (`none` when empty).
func formatCounts(_ counts: [String: Int]) -> String {
    counts.isEmpty ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
}

/// The same, for counts by a type spelled as its raw value (``ResultType``, ``ServedTier``).
func formatCounts<Name: RawRepresentable & Hashable>(_ counts: [Name: Int]) -> String where Name.RawValue == String {
    formatCounts(Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }))
}
