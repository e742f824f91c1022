import Foundation

/// The report of `promptline status`: what the store holds and, for an output path, whether the
/// job that writes it is complete.
public struct StatusReport: Sendable, Codable {
    public var store: String
    public var status: StoreStatus
    /// The output asked about, if any.
    public var output: String?
    /// `complete`, `incomplete` (a partial output waits for a resume) or `not started`.
    public var verdict: String?
    public var recordsWritten: Int?

    /// Reads the store and looks at the output path.
    public static func make(store: Store, storePath: String, output: String?) async throws -> StatusReport {
        var report = StatusReport(store: storePath, status: try await store.status(), output: output)
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
            "tokens: in \(status.inputTokens), out \(status.outputTokens)",
            "in flight now (leased by a live process): \(status.leasedKeys)",
            "possibly billed twice (in flight when a process died): \(status.interruptedKeys)",
        ]
        var cost = 0.0
        for (model, tokens) in status.tokensByModel.sorted(by: { $0.key < $1.key }) {
            let batch = status.batchTokensByModel[model] ?? TokenCount()
            let dollars = PriceTable.builtIn.cost(model: model, inputTokens: tokens.input, outputTokens: tokens.output)
                - PriceTable.builtIn.cost(model: model, inputTokens: batch.input, outputTokens: batch.output) * (1 - PriceTable.batchDiscount)
            cost += dollars
            lines.append("  \(model): in \(tokens.input), out \(tokens.output), estimated $\(String(format: "%.4f", dollars))")
        }
        lines.append("estimated cost of all answers: $\(String(format: "%.4f", cost)) (built-in prices; batch answers at half)")
        lines += status.batchesInFlightLines
        if let job = status.jobs.last {
            let when = Date(timeIntervalSince1970: job.updatedAt).formatted(.iso8601)
            lines.append("last run: \(job.output), \(job.recordsWritten) records written, \(job.finished ? "finished" : "unfinished"), \(when)")
        }
        if let output, let verdict {
            lines.append("output \(output): \(verdict)\(recordsWritten.map { " (\($0) records written)" } ?? "")")
        }
        return lines.joined(separator: "\n")
    }
}
