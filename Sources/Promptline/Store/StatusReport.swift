import Foundation

/// The report of `promptline status`: what the store holds and, for an output path, whether the
/// job that writes it is complete.
public struct StatusReport: Sendable, Codable {
    var store: String
    var status: StoreStatus
    /// The output asked about, if any.
    var output: String?
    /// `complete`, `incomplete` (a partial output waits for a resume) or `not started`.
    var verdict: String?
    var recordsWritten: Int?
    /// Estimated dollars of every answer, per priced model and in all (unpriced models are left out).
    var costByModel: [String: Double] = [:]
    var costUSD = 0.0
    /// Models with answers but no price: their cost is unknown.
    var unpricedModels: [String] = []
    /// The date of the prices used.
    var pricesAsOf: String?
    /// Dollars prompt caching saved over every answer: their cost with every prompt token billed as
    /// plain input, less the estimate.
    var cacheSavedUSD = 0.0

    /// Reads the store and looks at the output path.
    public static func make(store: Store, storePath: String, output: String?, prices: PriceTable = .builtIn) async throws -> StatusReport {
        var report = StatusReport(store: storePath, status: try await store.status(), output: output)
        report.pricesAsOf = prices.asOf
        for (model, tokens) in report.status.tokensByModel {
            guard let price = prices.price(for: model) else {
                report.unpricedModels.append(model)
                continue
            }
            var base = price
            base.longContext = nil
            // Answers through the Message Batches API cost the batch share of the list price.
            let batch = report.status.batchTokensByModel[model] ?? TokenCount()
            let discount = 1 - prices.batchMultiplier
            var dollars = prices.cost(price: base, tokens: tokens) - discount * prices.cost(price: base, tokens: batch)
            let uncached = { (count: TokenCount) in TokenCount(input: count.promptTokens, output: count.output) }
            report.cacheSavedUSD +=
                prices.cost(price: base, tokens: uncached(tokens)) - discount * prices.cost(price: base, tokens: uncached(batch)) - dollars
            if let long = price.longContext {
                // Answers over the threshold are priced at the long-context rate, the rest at the base rate.
                let over = try await store.tokens(model: model, promptAbove: long.aboveInputTokens)
                dollars += prices.cost(price: price, tokens: over) - prices.cost(price: base, tokens: over)
            }
            report.costByModel[model] = dollars
            report.costUSD += dollars
        }
        report.unpricedModels.sort()
        if let output {
            let checkpoint = try await store.checkpoint(output: output)
            report.recordsWritten = checkpoint?.recordsWritten
            if let checkpoint, checkpoint.finished, FileManager.default.fileExists(atPath: output) {
                report.verdict = "complete"
            } else if checkpoint != nil || FileManager.default.fileExists(atPath: output + ".partial") {
                report.verdict = "incomplete"
            } else {
                report.verdict = "not started"
            }
        }
        return report
    }

    /// The human report.
    public var text: String {
        var lines = [
            "store: \(store)",
            "keys: \(formatCounts(status.keysByState))",
            "served by tier: \(formatCounts(status.keysByTier))",
            "failures by type: \(formatCounts(status.failuresByType))",
            "tokens: in \(status.inputTokens), out \(status.outputTokens), cache writes \(status.cacheCreationInputTokens), cache reads \(status.cacheReadInputTokens)",
            "stop reasons: \(formatCounts(status.stopReasons))",
            "in flight now (leased by a live process): \(status.leasedKeys)",
            "possibly billed twice (in flight when a process died): \(status.interruptedKeys)",
        ]
        for (model, tokens) in status.tokensByModel.sorted(by: { $0.key < $1.key }) {
            let cost = costByModel[model].map { "$" + String(format: "%.4f", $0) } ?? "unknown (no price; give one with --prices)"
            lines.append(
                "  \(model): in \(tokens.input), out \(tokens.output), cache writes \(tokens.cacheCreation), cache reads \(tokens.cacheRead), estimated \(cost)"
            )
        }
        lines.append(
            "estimated cost of all answers: $\(String(format: "%.4f", costUSD))"
                + (unpricedModels.isEmpty ? "" : " + unknown for \(unpricedModels.joined(separator: ", "))")
                + " (prices as of \(pricesAsOf ?? "?"); batch answers at half)")
        if status.cacheCreationInputTokens + status.cacheReadInputTokens > 0 {
            lines.append("prompt cache saved $\(String(format: "%.4f", cacheSavedUSD)) against no caching")
        }
        lines += status.batchesInFlightLines
        if let job = status.jobs.last {
            let when = Date(timeIntervalSince1970: job.updatedAt).formatted(.iso8601)
            lines.append(
                "last run: \(job.output), \(job.recordsWritten) records written, \(job.finished ? "finished" : "unfinished"), \(when)")
        }
        if let output, let verdict {
            lines.append("output \(output): \(verdict)\(recordsWritten.map { " (\($0) records written)" } ?? "")")
        }
        return lines.joined(separator: "\n")
    }
}
