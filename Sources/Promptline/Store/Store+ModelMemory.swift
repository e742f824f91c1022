/// What a messages job learned about a model, kept for the plans of later jobs (a deadline job
/// estimates how fast Messages would answer before it sends anything through it).
struct ModelMemory: Sendable, Equatable {
    var requestsPerMinute: Int?
    var inputTokensPerMinute: Int?
    /// Mean seconds from send to answer.
    var latency: Double?
}

extension Store {
    private func createModelMemory() throws(StoreError) {
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS model_memory(model TEXT PRIMARY KEY, requests_per_minute INTEGER,
              input_tokens_per_minute INTEGER, latency REAL, updated_at REAL NOT NULL)
            """)
    }

    /// Remembers what a job learned of `model` (a figure not learned keeps its earlier value).
    func remember(_ memory: ModelMemory, of model: String) throws(StoreError) {
        try createModelMemory()
        try db.query(
            """
            INSERT INTO model_memory(model, requests_per_minute, input_tokens_per_minute, latency, updated_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(model) DO UPDATE SET
              requests_per_minute = COALESCE(excluded.requests_per_minute, requests_per_minute),
              input_tokens_per_minute = COALESCE(excluded.input_tokens_per_minute, input_tokens_per_minute),
              latency = COALESCE(excluded.latency, latency), updated_at = excluded.updated_at
            """,
            [
                .text(model), memory.requestsPerMinute.map { .integer(Int64($0)) } ?? .null,
                memory.inputTokensPerMinute.map { .integer(Int64($0)) } ?? .null, memory.latency.map(SQLiteValue.real) ?? .null,
                .real(now()),
            ])
    }

    /// What earlier jobs learned of each model they ran: a job's windows start from it, and a
    /// deadline job's plan estimates Messages with it.
    func memories() throws(StoreError) -> [String: ModelMemory] {
        try createModelMemory()
        var found: [String: ModelMemory] = [:]
        try db.query("SELECT model, requests_per_minute, input_tokens_per_minute, latency FROM model_memory", []) { row in
            guard let model = row.text(0) else { return }
            found[model] = ModelMemory(
                requestsPerMinute: row.isNull(1) ? nil : Int(row.int(1)), inputTokensPerMinute: row.isNull(2) ? nil : Int(row.int(2)),
                latency: row.isNull(3) ? nil : row.double(3))
        }
        return found
    }
}
