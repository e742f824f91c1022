import Foundation

/// What a store holds, for `promptline status`.
struct StoreStatus: Sendable, Codable, Equatable {
    /// Keys by state (`pending`, `inflight`, `succeeded`, `errored`).
    var keysByState: [String: Int] = [:]
    /// Answered keys by serving tier.
    var keysByTier: [String: Int] = [:]
    /// Errored keys by error type.
    var failuresByType: [String: Int] = [:]
    var inputTokens = 0
    var outputTokens = 0
    /// `usage.cache_creation_input_tokens` and `cache_read_input_tokens` of every answer.
    var cacheCreationInputTokens = 0
    var cacheReadInputTokens = 0
    /// Answers by `stop_reason`.
    var stopReasons: [String: Int] = [:]
    /// Keys whose request was in flight when an earlier process died: each may have been billed
    /// once without its answer being recorded.
    var interruptedKeys = 0
    /// Keys in flight now, held by a live process.
    var leasedKeys = 0
    /// Tokens by model that answered, for the cost estimate.
    var tokensByModel: [String: TokenCount] = [:]
    var jobs: [JobStatus] = []
    /// Message Batches not finished with (`--backend batches`): created and not yet collected,
    /// or intents whose create was sent but whose id was never recorded.
    var batchesInFlight: [BatchInFlight] = []
    /// The part of ``tokensByModel`` answered through the Message Batches API (priced at half).
    var batchTokensByModel: [String: TokenCount] = [:]

    /// One job's record.
    struct JobStatus: Sendable, Codable, Equatable {
        var output: String
        var recordsWritten: Int
        var finished: Bool
        var updatedAt: Double
    }
}

extension Store {
    /// Counts what the store holds.
    func status() throws(StoreError) -> StoreStatus {
        var status = StoreStatus()
        try db.query("SELECT state, COUNT(*) FROM requests GROUP BY state") { row in
            status.keysByState[row.text(0) ?? "?"] = Int(row.int(1))
        }
        try db.query("SELECT tier, COUNT(*) FROM requests WHERE state IN ('succeeded','errored','degraded') GROUP BY tier") { row in
            status.keysByTier[row.text(0) ?? "none"] = Int(row.int(1))
        }
        try db.query("SELECT error_type, COUNT(*) FROM requests WHERE state = 'errored' GROUP BY error_type") { row in
            status.failuresByType[row.text(0) ?? "unknown"] = Int(row.int(1))
        }
        try db.query(
            """
            SELECT served_model, SUM(input_tokens), SUM(output_tokens), SUM(cache_creation_tokens), SUM(cache_creation_1h_tokens),
              SUM(cache_read_tokens)
            FROM requests WHERE served_model IS NOT NULL GROUP BY served_model
            """
        ) { row in
            let count = Self.tokenCount(row, from: 1)
            status.tokensByModel[row.text(0) ?? "?"] = count
            status.inputTokens += count.input
            status.outputTokens += count.output
            status.cacheCreationInputTokens += count.cacheCreation
            status.cacheReadInputTokens += count.cacheRead
        }
        try db.query("SELECT stop_reason, COUNT(*) FROM requests WHERE stop_reason IS NOT NULL GROUP BY stop_reason") { row in
            status.stopReasons[row.text(0) ?? "?"] = Int(row.int(1))
        }
        try db.query("SELECT COUNT(*) FROM requests WHERE interrupted > 0") { row in
            status.interruptedKeys = Int(row.int(0))
        }
        let now = self.now()
        try db.query("SELECT owner, lease_expires, interrupted FROM requests WHERE state = 'inflight'") { row in
            let owner = row.text(0) ?? ""
            if row.double(1) > now && LeaseOwner.isAlive(owner) {
                status.leasedKeys += 1
            } else if row.int(2) == 0 {
                status.interruptedKeys += 1
            }
        }
        try db.query("SELECT output, records_written, finished, updated_at FROM jobs ORDER BY updated_at") { row in
            status.jobs.append(
                .init(output: row.text(0) ?? "", recordsWritten: Int(row.int(1)), finished: row.int(2) != 0, updatedAt: row.double(3)))
        }
        status.batchesInFlight = try batchesInFlightStatus(now: now)
        status.batchTokensByModel = try batchTokensByModel()
        return status
    }
}

extension Store {
    /// The tokens of `model`'s answers whose prompt (input, cache writes and reads) is longer than
    /// `promptAbove`: the part of a model's usage a long-context price applies to.
    func tokens(model: String, promptAbove: Int) throws(StoreError) -> TokenCount {
        var count = TokenCount()
        try db.query(
            """
            SELECT SUM(input_tokens), SUM(output_tokens), SUM(cache_creation_tokens), SUM(cache_creation_1h_tokens), SUM(cache_read_tokens)
            FROM requests WHERE served_model = ? AND input_tokens + cache_creation_tokens + cache_read_tokens > ?
            """,
            [.text(model), .integer(Int64(promptAbove))]
        ) { row in count = Self.tokenCount(row, from: 0) }
        return count
    }

    static func tokenCount(_ row: SQLiteRow, from first: Int32) -> TokenCount {
        TokenCount(
            input: Int(row.int(first)), output: Int(row.int(first + 1)), cacheCreation: Int(row.int(first + 2)),
            cacheCreation1h: Int(row.int(first + 3)), cacheRead: Int(row.int(first + 4)))
    }
}
