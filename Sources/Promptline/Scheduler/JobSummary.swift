/// What a job did, for the human summary on stderr and `--summary PATH` (JSON).
public struct JobSummary: Sendable, Codable, Equatable {
    /// Output lines by result type (`succeeded`, `errored`, `invalid`).
    public var records: [String: Int] = [:]
    /// Output lines by `served_by.tier`.
    public var tiers: [String: Int] = [:]
    /// Records answered from the store without a request in this run.
    public var reusedFromStore = 0
    public var requestsSent = 0
    public var retries = 0
    public var rateLimited = 0
    public var inputTokens = 0
    public var outputTokens = 0
    /// Tokens by the model that answered.
    public var tokensByModel: [String: TokenCount] = [:]
    /// Estimated dollars spent in this run, in all and per model (from the price table).
    public var costUSD = 0.0
    public var costByModel: [String: Double] = [:]
    /// Rate limits learned from the headers (or seeded), per minute, and the dimension that bound last.
    public var rateLimits: [String: Int] = [:]
    public var bindingDimension: String?
    /// The adaptive concurrency window at the end.
    public var concurrencyWindow = 0
    /// Times a circuit breaker opened.
    public var breakerTrips = 0
    /// Keys found in flight from a process that died: each may have been billed twice.
    public var interruptedKeys = 0
    public var wallSeconds = 0.0
    public var recordsPerSecond = 0.0
    /// Why the job stopped early, if it did.
    public var stopped: String?
    /// The process exit code (SPEC §7).
    public var exitCode: Int32 = 0
    /// The output path, and whether it is complete and in place.
    public var output = ""
    public var outputComplete = false
    /// What the Message Batches backend did (`--backend batches` only).
    public var batches: BatchSummary?

    /// The total of output lines.
    public var totalRecords: Int { records.values.reduce(0, +) }

    /// The human summary, several lines for stderr.
    public var humanDescription: String {
        var lines = [
            "promptline: \(totalRecords) records: \(formatCounts(records)); tiers: \(formatCounts(tiers))",
            "  reused from store \(reusedFromStore), requests sent \(requestsSent), retries \(retries), 429s \(rateLimited), breaker trips \(breakerTrips)",
            "  estimated cost $\(String(format: "%.4f", costUSD))"
                + (costByModel.isEmpty ? "" : " (" + costByModel.sorted { $0.key < $1.key }.map { "\($0.key) $\(String(format: "%.4f", $0.value))" }.joined(separator: ", ") + ")"),
            "  tokens in \(inputTokens), out \(outputTokens); \(String(format: "%.1f", wallSeconds)) s, \(String(format: "%.0f", recordsPerSecond)) records/s",
        ]
        if !rateLimits.isEmpty {
            lines.append(
                "  rate limits seen: " + rateLimits.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)/min" }.joined(separator: ", ")
                    + (bindingDimension.map { "; binding: \($0)" } ?? "") + "; concurrency window \(concurrencyWindow)")
        }
        lines += batches?.humanLines ?? []
        if interruptedKeys > 0 {
            lines.append("  \(interruptedKeys) keys were in flight when an earlier run died: they were sent again and may have been billed twice")
        }
        lines.append(outputComplete ? "  output: \(output)" : "  output incomplete: \(output).partial (run the same command again to resume)")
        if let stopped { lines.append("  stopped: \(stopped)") }
        return lines.joined(separator: "\n")
    }
}
