import Foundation

/// What the Message Batches backend did in one run, for the summary and `--summary PATH`.
public struct BatchSummary: Sendable, Codable, Equatable {
    /// One batch as last seen.
    public struct Line: Sendable, Codable, Equatable {
        public var id: String
        public var status: String
        public var counts: BatchesClient.Batch.Counts
        /// Seconds since the batch's intent was committed.
        public var ageSeconds: Double
        public var polls: Int
    }

    public var batchesCreated = 0
    /// Batches created by an earlier run whose id was never recorded, found by listing and adopted.
    public var batchesAdopted = 0
    /// Batches the API no longer knew (their requests went into a new batch).
    public var batchesGone = 0
    /// Requests sent inside the batches created.
    public var requestsSubmitted = 0
    public var rounds = 0
    /// `GET /v1/messages/batches/{id}` calls.
    public var polls = 0
    /// Results by outcome: `succeeded`, `errored` (final), and what sent a key into another batch
    /// (`expired`, `canceled`, `overloaded_error`, …).
    public var results: [String: Int] = [:]
    /// Answers committed from batch results in this run.
    public var answersStored = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var tokensByModel: [String: TokenCount] = [:]
    /// Estimated dollars at the batch price (half the list price).
    public var costUSD = 0.0
    public var costByModel: [String: Double] = [:]
    /// What the same tokens would cost through the messages backend (the list price).
    public var listPriceUSD = 0.0
    /// Every batch this run worked on, as last seen.
    public var batches: [Line] = []

    public init() {}

    /// Polls per batch polled, on average.
    public var pollsPerBatch: Double { batches.isEmpty ? 0 : Double(polls) / Double(batches.count) }

    /// Lines for the human summary.
    public var humanLines: [String] {
        var lines = [
            "  batches: \(batchesCreated) created, \(batchesAdopted) adopted, \(batchesGone) unknown to the API and resubmitted; "
                + "\(requestsSubmitted) requests in them, \(rounds) rounds, \(polls) polls (\(String(format: "%.1f", pollsPerBatch)) per batch)",
            "  batch results: \(formatCounts(results)); cost at the batch price $\(String(format: "%.4f", costUSD)) "
                + "(messages backend: $\(String(format: "%.4f", listPriceUSD)))",
        ]
        for batch in batches {
            lines.append("    \(batch.id) \(batch.status): \(batch.counts.described); age \(Int(batch.ageSeconds)) s, \(batch.polls) polls")
        }
        return lines
    }
}

extension BatchesClient.Batch.Counts {
    /// `processing 0, succeeded 1000, errored 0, canceled 0, expired 0`.
    public var described: String {
        "processing \(processing), succeeded \(succeeded), errored \(errored), canceled \(canceled), expired \(expired)"
    }
}
