/// What a job did, for the human summary on stderr and `--summary PATH` (JSON).
public struct JobSummary: Sendable, Codable, Equatable {
    /// Output lines by result type.
    var records: [ResultType: Int] = [:]
    /// Output lines by `served_by.tier`.
    var tiers: [ServedTier: Int] = [:]
    /// Records answered from the store without a request in this run.
    var reusedFromStore = 0
    var requestsSent = 0
    var retries = 0
    var rateLimited = 0
    var inputTokens = 0
    var outputTokens = 0
    /// Tokens by the model that answered.
    var tokensByModel: [String: TokenCount] = [:]
    /// Estimated dollars spent in this run, in all and per model (from the price table).
    var costUSD = 0.0
    var costByModel: [String: Double] = [:]
    /// Models that answered in this run but have no price: the estimate leaves them out (unknown, not $0).
    var unpricedModels: [String]?
    /// `usage.cache_creation_input_tokens` and `cache_read_input_tokens` of this run's answers.
    var cacheCreationInputTokens: Int?
    var cacheReadInputTokens: Int?
    /// Dollars prompt caching saved in this run: the cost with every prompt token billed as plain
    /// input, less the estimated cost (negative when writes were not read back).
    var cacheSavedUSD: Double?
    /// Output lines by their answer's `stop_reason` (`end_turn`, `max_tokens`, …).
    var stopReasons: [String: Int]?
    /// For each model asked, the ids its responses named (an alias answers as a dated snapshot).
    var answeringModels: [String: [String]]?
    /// Rate limits learned from each model's headers (or seeded), per minute, and the dimension that bound last.
    var rateLimitsByModel: [String: ModelLimits]?
    /// The adaptive concurrency window at the end.
    var concurrencyWindow = 0
    /// Times a circuit breaker opened.
    var breakerTrips = 0
    /// Attempts the adaptive throttles held back because their model accepted too small a share of requests.
    var throttledSends: Int?
    /// Each model's share of answered requests that succeeded, over the last minute of the run.
    var successShares: [String: Double]?
    /// Records ended `errored` as poison records (failing far more often in a row than their model's error share explains).
    var poisonRecords: Int?
    /// Store write transactions committed for this run's claims and answers (several records share one
    /// under load: group commit), and the claims and answers they held.
    var storeTransactions: Int?
    var storeWrites: Int?
    /// Keys found in flight from a process that died: each may have been billed twice.
    var interruptedKeys = 0
    var wallSeconds = 0.0
    var recordsPerSecond = 0.0
    /// Why the job stopped early, if it did.
    var stopped: String?
    /// The process exit status (SPEC §7); the JSON holds its code.
    public var exitCode = ExitStatus.success
    /// The output path, and whether it is complete and in place.
    var output = ""
    var outputComplete = false
    /// The records that asked for JSON: parsed, made whole, refused, cut, not JSON (only when some did).
    var structured: StructuredTally?
    /// What the Message Batches backend did (`--backend batches` only).
    var batches: BatchSummary?
    /// The deadline, whether it was met, and what each backend did (`--deadline` only).
    var deadline: DeadlineReport?

    /// The total of output lines.
    var totalRecords: Int { records.values.reduce(0, +) }

    /// The end-of-run warning when answers were cut at `max_tokens`.
    var maxTokensWarning: String? {
        guard let cut = stopReasons?["max_tokens"], cut > 0 else { return nil }
        // JSON answers were raised up to the cap already: the cap is what to raise for them.
        let option = (structured?.cut ?? 0) > 0 ? "--max-tokens-cap (JSON answers) or --max-tokens" : "--max-tokens"
        return "\(cut) record\(cut == 1 ? "" : "s") stopped at max_tokens; raise \(option)"
    }

    /// What prompt caching did, when it did anything.
    var cacheLine: String? {
        let writes = cacheCreationInputTokens ?? 0
        let reads = cacheReadInputTokens ?? 0
        guard writes + reads > 0 else { return nil }
        let saved = cacheSavedUSD ?? 0
        return "  prompt cache: \(writes) tokens written, \(reads) read; saved $\(String(format: "%.4f", saved)) against no caching"
    }

    /// The human summary, several lines for stderr.
    public var humanDescription: String {
        var lines = [
            "promptline: \(totalRecords) records: \(formatCounts(records)); tiers: \(formatCounts(tiers))",
            "  reused from store \(reusedFromStore), requests sent \(requestsSent), retries \(retries), 429s \(rateLimited), breaker trips \(breakerTrips)",
            "  estimated cost $\(String(format: "%.4f", costUSD))" + ((unpricedModels ?? []).isEmpty ? "" : " + unknown")
                + (costByModel.isEmpty
                    ? ""
                    : " ("
                        + costByModel.sorted { $0.key < $1.key }.map { "\($0.key) $\(String(format: "%.4f", $0.value))" }.joined(
                            separator: ", ") + ")"),
            "  tokens in \(inputTokens), out \(outputTokens), cache writes \(cacheCreationInputTokens ?? 0), cache reads \(cacheReadInputTokens ?? 0); \(String(format: "%.1f", wallSeconds)) s, \(String(format: "%.0f", recordsPerSecond)) records/s",
        ]
        if let line = cacheLine { lines.append(line) }
        for (model, seen) in (rateLimitsByModel ?? [:]).sorted(by: { $0.key < $1.key }) where !seen.limits.isEmpty {
            lines.append(
                "  rate limits of \(model): "
                    + seen.limits.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)/min" }.joined(separator: ", ")
                    + (seen.binding.map { "; binding: \($0)" } ?? ""))
        }
        if let successShares, !successShares.isEmpty {
            lines.append(
                "  success share over the last minute: "
                    + successShares.sorted { $0.key < $1.key }.map { "\($0.key) \(Int(($0.value * 100).rounded())) %" }.joined(
                        separator: ", ")
                    + "; throttled sends \(throttledSends ?? 0); concurrency window \(concurrencyWindow)")
        }
        if let poisonRecords, poisonRecords > 0 {
            lines.append("  \(poisonRecords) poison records ended errored: they kept failing while their model served others")
        }
        if let unpricedModels, !unpricedModels.isEmpty {
            lines.append(
                "  cost unknown for \(unpricedModels.joined(separator: ", ")): no price in the table (give one with --prices); the estimate leaves them out"
            )
        }
        if let structured { lines.append(structured.humanLine) }
        if let stopReasons, !stopReasons.isEmpty {
            lines.append("  stop reasons: \(formatCounts(stopReasons))")
        }
        if let answeringModels, answeringModels.contains(where: { $0.value != [$0.key] }) {
            lines.append(
                "  models: "
                    + answeringModels.sorted { $0.key < $1.key }.map { "\($0.key) answered as \($0.value.joined(separator: ", "))" }
                    .joined(separator: "; "))
        }
        lines += batches?.humanLines ?? []
        if let line = deadline?.humanLine { lines.append(line) }
        if interruptedKeys > 0 {
            lines.append(
                "  \(interruptedKeys) keys were in flight when an earlier run died: they were sent again and may have been billed twice")
        }
        lines.append(
            outputComplete ? "  output: \(output)" : "  output incomplete: \(output).partial (run the same command again to resume)")
        if let stopped { lines.append("  stopped: \(stopped)") }
        if let warning = maxTokensWarning { lines.append("promptline: warning: \(warning)") }
        return lines.joined(separator: "\n")
    }
}
