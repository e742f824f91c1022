import Foundation

/// What the Message Batches backend did in one run, for the summary and `--summary PATH`.
struct BatchSummary: Sendable, Codable, Equatable {
    /// One batch as last seen.
    struct Line: Sendable, Codable, Equatable {
        var id: String
        var status: String
        var counts: BatchesClient.Batch.Counts
        /// Seconds since the batch's intent was committed.
        var ageSeconds: Double
        var polls: Int
    }

    var batchesCreated = 0
    /// Of those, batches that primed the prompt cache for the batches after them.
    var primingBatches = 0
    /// Batches created by an earlier run whose id was never recorded, found by listing and adopted.
    var batchesAdopted = 0
    /// Batches the API no longer knew (their requests went into a new batch).
    var batchesGone = 0
    /// Requests sent inside the batches created.
    var requestsSubmitted = 0
    var rounds = 0
    /// `GET /v1/messages/batches/{id}` calls.
    var polls = 0
    /// Results by outcome: `succeeded`, `errored` (final), and what sent a key into another batch
    /// (`expired`, `canceled`, `overloaded_error`, …).
    var results: [String: Int] = [:]
    /// Answers committed from batch results in this run.
    var answersStored = 0
    var inputTokens = 0
    var outputTokens = 0
    var tokensByModel: [String: TokenCount] = [:]
    /// Estimated dollars at the batch price (half the list price).
    var costUSD = 0.0
    var costByModel: [String: Double] = [:]
    /// What the same tokens would cost through the messages backend (the list price).
    var listPriceUSD = 0.0
    /// Cache tokens of the batch answers: written (1-hour lifetime) and read.
    var cacheCreationInputTokens = 0
    var cacheReadInputTokens = 0
    /// Dollars prompt caching saved, at the batch price.
    var cacheSavedUSD = 0.0
    /// The deadline's plan and what it did (`--deadline`).
    var deadline: DeadlineReport?
    /// Every batch this run worked on, as last seen.
    var batches: [Line] = []

    init() {}

    /// Polls per batch polled, on average.
    var pollsPerBatch: Double { batches.isEmpty ? 0 : Double(polls) / Double(batches.count) }

    /// Lines for the human summary.
    var humanLines: [String] {
        var lines = [
            "  batches: \(batchesCreated) created (\(primingBatches) priming the prompt cache), \(batchesAdopted) adopted, \(batchesGone) unknown to the API and resubmitted; "
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
    var described: String {
        "processing \(processing), succeeded \(succeeded), errored \(errored), canceled \(canceled), expired \(expired)"
    }
}
