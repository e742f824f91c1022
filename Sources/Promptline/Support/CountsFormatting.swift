/// `"a 1, b 2"`: counts by name, sorted by name, for human summaries (`none` when empty).
func formatCounts(_ counts: [String: Int]) -> String {
    counts.isEmpty ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
}
