import Foundation

/// One batch in flight, for `promptline status`.
struct BatchInFlight: Sendable, Codable, Equatable {
    /// The API's id; nil for an intent whose id was never recorded (a resume adopts it).
    var id: String?
    var localID: String
    var requests: Int
    /// The last `processing_status` seen.
    var processingStatus: String?
    /// The last `request_counts` seen.
    var counts: BatchesClient.Batch.Counts?
    /// Seconds since the intent was committed.
    var ageSeconds: Double
}

extension Store {
    func batchesInFlightStatus(now: Double) throws(StoreError) -> [BatchInFlight] {
        try openBatches().map { record in
            BatchInFlight(
                id: record.batchID, localID: record.localID, requests: record.requestCount, processingStatus: record.processingStatus,
                counts: record.counts.flatMap { try? JSONDecoder().decode(BatchesClient.Batch.Counts.self, from: Data($0.utf8)) },
                ageSeconds: max(0, now - record.intentAt))
        }
    }
}

extension StoreStatus {
    /// The `status` lines about batches in flight.
    var batchesInFlightLines: [String] {
        guard !batchesInFlight.isEmpty else { return [] }
        var lines = ["batches in flight: \(batchesInFlight.count) (run the same command again to collect them)"]
        for batch in batchesInFlight {
            let age = "age \(Int(batch.ageSeconds)) s"
            if let id = batch.id {
                let counts = batch.counts?.described ?? "processing \(batch.requests)"
                lines.append("  \(id) \(batch.processingStatus ?? "in_progress"): \(counts); \(age)")
            } else {
                lines.append("  (create sent, id not recorded; a resume adopts it) \(batch.requests) requests; \(age)")
            }
        }
        return lines
    }
}

extension Store {
    /// Tokens of the answers that came through the Message Batches API, by model.
    func batchTokensByModel() throws(StoreError) -> [String: TokenCount] {
        var found: [String: TokenCount] = [:]
        try db.query(
            """
            SELECT served_model, SUM(input_tokens), SUM(output_tokens), SUM(cache_creation_tokens), SUM(cache_creation_1h_tokens),
              SUM(cache_read_tokens)
            FROM requests
            WHERE served_model IS NOT NULL AND CAST(served_by AS TEXT) LIKE '%"backend":"batches"%' GROUP BY served_model
            """
        ) { row in found[row.text(0) ?? "?"] = Self.tokenCount(row, from: 1) }
        return found
    }
}
