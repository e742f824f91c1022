import Foundation

extension Store {
    /// Schema step 3: the Message Batches backend's tables. `batches` holds one row per batch intent
    /// (committed before the create is sent); `batch_requests` maps each batch's custom_ids to keys
    /// and records what became of each request (`outcome`), so a key's trail over rounds is known.
    static func migrateBatches(_ db: SQLiteConnection) throws(StoreError) {
        try db.execute(
            """
            CREATE TABLE IF NOT EXISTS batches(
              local_id TEXT PRIMARY KEY,
              batch_id TEXT UNIQUE,
              state TEXT NOT NULL,
              request_count INTEGER NOT NULL,
              body_bytes INTEGER NOT NULL,
              intent_at REAL NOT NULL,
              submitted_at REAL,
              owner TEXT NOT NULL,
              processing_status TEXT,
              counts TEXT,
              polled_at REAL,
              collected_at REAL);
            CREATE TABLE IF NOT EXISTS batch_requests(
              local_id TEXT NOT NULL,
              custom_id TEXT NOT NULL,
              key TEXT NOT NULL,
              model TEXT NOT NULL,
              messages_key TEXT NOT NULL,
              outcome TEXT,
              PRIMARY KEY(local_id, custom_id));
            CREATE INDEX IF NOT EXISTS batch_requests_key ON batch_requests(key);
            CREATE INDEX IF NOT EXISTS batches_state ON batches(state);
            INSERT OR REPLACE INTO meta(name, value) VALUES ('schema_version', '3');
            """)
    }

    private static let batchColumns = "local_id, batch_id, state, request_count, intent_at, owner, processing_status, counts"

    private static func batchRecord(_ row: SQLiteRow) -> BatchRecord {
        BatchRecord(
            localID: row.text(0) ?? "", batchID: row.text(1), state: row.text(2).flatMap(BatchRecord.State.init(rawValue:)) ?? .gone,
            requestCount: Int(row.int(3)), intentAt: row.double(4), owner: row.text(5) ?? "", processingStatus: row.text(6),
            counts: row.text(7))
    }

    /// Batches not finished with: intents and submitted batches, oldest first.
    func openBatches() throws(StoreError) -> [BatchRecord] {
        var found: [BatchRecord] = []
        try db.query("SELECT \(Self.batchColumns) FROM batches WHERE state IN ('intent', 'submitted') ORDER BY intent_at") { row in
            found.append(Self.batchRecord(row))
        }
        return found
    }

    /// True when the process that committed this intent is this one or gone (so its intent may be resolved).
    nonisolated func mayResolve(_ batch: BatchRecord) -> Bool {
        batch.owner == owner || !LeaseOwner.isAlive(batch.owner)
    }

    /// Starts building a batch: its row, in state `building` (not yet an intent: nothing is sent
    /// for it, and a process that dies while building leaves nothing to adopt).
    func beginBatch(localID: String) throws(StoreError) {
        try db.query(
            "INSERT INTO batches(local_id, state, request_count, body_bytes, intent_at, owner) VALUES (?, 'building', 0, 0, ?, ?)",
            [.text(localID), .real(now()), .text(owner)])
    }

    /// Adds requests to a batch being built, in one transaction.
    func addBatchEntries(localID: String, _ entries: [BatchEntry]) throws(StoreError) {
        guard !entries.isEmpty else { return }
        try db.transaction { () throws(StoreError) in
            for entry in entries {
                try db.query(
                    "INSERT INTO batch_requests(local_id, custom_id, key, model, messages_key) VALUES (?, ?, ?, ?, ?)",
                    [.text(localID), .text(entry.customID), .text(entry.key), .text(entry.model), .text(entry.messagesKey)])
            }
        }
    }

    /// Commits a built batch's intent (its requests are in the store; the time is now) before its
    /// create is sent.
    func commitBatchIntent(localID: String, requestCount: Int, bodyBytes: Int) throws(StoreError) {
        try db.query(
            "UPDATE batches SET state = 'intent', request_count = ?, body_bytes = ?, intent_at = ? WHERE local_id = ? AND state = 'building'",
            [.integer(Int64(requestCount)), .integer(Int64(bodyBytes)), .real(now()), .text(localID)])
    }

    /// Commits a batch's intent with all its requests at once (``beginBatch(localID:)``,
    /// ``addBatchEntries(localID:_:)`` and ``commitBatchIntent(localID:requestCount:bodyBytes:)`` in one).
    func recordBatchIntent(localID: String, entries: [BatchEntry], bodyBytes: Int) throws(StoreError) {
        try db.transaction { () throws(StoreError) in
            try beginBatch(localID: localID)
            for entry in entries {
                try db.query(
                    "INSERT INTO batch_requests(local_id, custom_id, key, model, messages_key) VALUES (?, ?, ?, ?, ?)",
                    [.text(localID), .text(entry.customID), .text(entry.key), .text(entry.model), .text(entry.messagesKey)])
            }
            try commitBatchIntent(localID: localID, requestCount: entries.count, bodyBytes: bodyBytes)
        }
    }

    /// Removes batches left `building` by this process or by one that is gone; returns their local ids.
    @discardableResult
    func dropAbandonedBuilds() throws(StoreError) -> [String] {
        var abandoned: [String] = []
        try db.query("SELECT local_id, owner FROM batches WHERE state = 'building'") { row in
            let owner = row.text(1) ?? ""
            if owner == self.owner || !LeaseOwner.isAlive(owner) { abandoned.append(row.text(0) ?? "") }
        }
        for localID in abandoned {
            try db.transaction { () throws(StoreError) in
                try db.query("DELETE FROM batch_requests WHERE local_id = ?", [.text(localID)])
                try db.query("DELETE FROM batches WHERE local_id = ?", [.text(localID)])
            }
        }
        return abandoned
    }

    /// A page of a batch's custom_ids, in order, after `afterID`.
    func batchCustomIDs(localID: String, after afterID: String, limit: Int) throws(StoreError) -> [String] {
        var ids: [String] = []
        try db.query(
            "SELECT custom_id FROM batch_requests WHERE local_id = ? AND custom_id > ? ORDER BY custom_id LIMIT ?",
            [.text(localID), .text(afterID), .integer(Int64(limit))]
        ) { row in ids.append(row.text(0) ?? "") }
        return ids
    }

    /// Records the API's id for a batch intent (right after the create answered, or on adoption).
    func recordBatchSubmitted(localID: String, batchID: String) throws(StoreError) {
        try db.query(
            "UPDATE batches SET batch_id = ?, state = 'submitted', submitted_at = ?, processing_status = 'in_progress' WHERE local_id = ?",
            [.text(batchID), .real(now()), .text(localID)])
    }

    /// Forgets an intent whose create certainly made no batch: its keys are pending again.
    func dropBatchIntent(localID: String) throws(StoreError) {
        try db.transaction { () throws(StoreError) in
            try db.query("DELETE FROM batch_requests WHERE local_id = ?", [.text(localID)])
            try db.query("DELETE FROM batches WHERE local_id = ? AND state IN ('intent', 'building')", [.text(localID)])
        }
    }

    /// Marks a batch gone (the API does not know its id): its keys are pending again.
    func markBatchGone(localID: String) throws(StoreError) {
        try db.transaction { () throws(StoreError) in
            try db.query("UPDATE batches SET state = 'gone' WHERE local_id = ?", [.text(localID)])
            try db.query("UPDATE batch_requests SET outcome = 'batch_gone' WHERE local_id = ? AND outcome IS NULL", [.text(localID)])
        }
    }

    /// Records what a poll saw.
    func recordBatchPoll(localID: String, processingStatus: String, counts: String) throws(StoreError) {
        try db.query(
            "UPDATE batches SET processing_status = ?, counts = ?, polled_at = ? WHERE local_id = ?",
            [.text(processingStatus), .text(counts), .real(now()), .text(localID)])
    }

    /// Marks a batch's results as streamed into the store.
    /// Requests the results did not mention (or in an unreadable line) are recorded `missing_result`:
    /// they go into the next batch, and count towards the rounds a key may take.
    func markBatchCollected(localID: String) throws(StoreError) {
        try db.transaction { () throws(StoreError) in
            try db.query(
                "UPDATE batches SET state = 'collected', processing_status = 'ended', collected_at = ? WHERE local_id = ?",
                [.real(now()), .text(localID)])
            try db.query("UPDATE batch_requests SET outcome = 'missing_result' WHERE local_id = ? AND outcome IS NULL", [.text(localID)])
        }
    }

    /// Every batch id the store has recorded (so adoption never takes a batch twice).
    func knownBatchIDs() throws(StoreError) -> Set<String> {
        var ids = Set<String>()
        try db.query("SELECT batch_id FROM batches WHERE batch_id IS NOT NULL") { row in
            if let id = row.text(0) { ids.insert(id) }
        }
        return ids
    }

    /// How many of `customIDs` belong to the batch `localID` (to check an adoption candidate's results).
    func countBatchCustomIDs(localID: String, _ customIDs: [String]) throws(StoreError) -> Int {
        var count = 0
        try db.execute("BEGIN")
        defer { try? db.execute("COMMIT") }
        for customID in customIDs {
            try db.query("SELECT 1 FROM batch_requests WHERE local_id = ? AND custom_id = ?", [.text(localID), .text(customID)]) { _ in
                count += 1
            }
        }
        return count
    }

    /// What the batches backend must know about input keys: which to leave out of a new batch
    /// (answered, or in a batch being built or not finished with) and how many batches each was in before.
    ///
    /// - Parameter retryErroredBefore: with `--retry-errored`, errored (and stale or static) answers
    ///   recorded before this time are not answers (they go into a batch again); those recorded since are.
    ///   A key another live process holds in flight (messages backend) is left out too.
    func batchPlanning(keys: [String], retryErroredBefore: Double?) throws(StoreError) -> (skip: Set<String>, rounds: [String: [String]]) {
        var skip = Set<String>()
        var rounds: [String: [String]] = [:]
        guard !keys.isEmpty else { return (skip, rounds) }
        let now = self.now()
        try db.execute("BEGIN")
        defer { try? db.execute("COMMIT") }
        for key in keys where !skip.contains(key) {
            try db.query("SELECT state, updated_at, owner, lease_expires FROM requests WHERE key = ?", [.text(key)]) { row in
                switch row.text(0) {
                case "succeeded": skip.insert(key)
                case "errored", "degraded":
                    if let before = retryErroredBefore, row.double(1) < before { break }
                    skip.insert(key)
                case "inflight":
                    // Another live process is sending it through the messages backend: not paid twice.
                    if let holder = row.text(2), holder != owner, row.double(3) > now, LeaseOwner.isAlive(holder) { skip.insert(key) }
                default: break
                }
            }
            if skip.contains(key) { continue }
            try db.query(
                """
                SELECT b.state, r.outcome FROM batch_requests r JOIN batches b ON b.local_id = r.local_id
                WHERE r.key = ? ORDER BY b.intent_at
                """, [.text(key)]
            ) { row in
                if row.text(0) == "intent" || row.text(0) == "submitted" || row.text(0) == "building" {
                    skip.insert(key)
                } else if let outcome = row.text(1) {
                    rounds[key, default: []].append(outcome)
                }
            }
        }
        return (skip, rounds)
    }

    /// Commits one chunk of a batch's results in one transaction: succeeded and final errors become
    /// answers (an answer already stored as succeeded is never rewritten); retryable ones only
    /// record their outcome, so the key goes into the next batch. Returns the answers stored.
    func applyBatchResults(localID: String, _ results: [BatchResultEntry]) throws(StoreError) -> [StoredAnswer] {
        let now = self.now()
        return try db.transaction { () throws(StoreError) -> [StoredAnswer] in
            var stored: [StoredAnswer] = []
            for result in results {
                var request: (key: String, model: String, messagesKey: String)?
                try db.query(
                    "SELECT key, model, messages_key FROM batch_requests WHERE local_id = ? AND custom_id = ?",
                    [.text(localID), .text(result.customID)]
                ) { row in request = (row.text(0) ?? "", row.text(1) ?? "", row.text(2) ?? "") }
                guard let request else { continue }  // not one of ours: ignored
                let outcomeName: String
                switch result.outcome {
                case .succeeded: outcomeName = "succeeded"
                case .failed(_, let type): outcomeName = type
                case .retry(let type): outcomeName = type
                }
                try db.query(
                    "UPDATE batch_requests SET outcome = ? WHERE local_id = ? AND custom_id = ?",
                    [.text(outcomeName), .text(localID), .text(result.customID)])
                var trail: [String] = []
                try db.query(
                    """
                    SELECT r.outcome FROM batch_requests r JOIN batches b ON b.local_id = r.local_id
                    WHERE r.key = ? AND r.local_id != ? AND r.outcome IS NOT NULL ORDER BY b.intent_at
                    """, [.text(request.key), .text(localID)]
                ) { row in trail.append(row.text(0) ?? "") }
                let answer: StoredAnswer
                switch result.outcome {
                case .retry:
                    continue
                case .succeeded(let message, _, let tokens):
                    // served_by.model is the model asked for, as on the messages backend (the answer names the snapshot).
                    let model = request.1
                    var succeeded = StoredAnswer(
                        state: .succeeded, result: OutputLine.succeededResult(message: message),
                        servedBy: OutputLine.batchServedBy(model: model, tier: .primary, attempts: trail.count + 1, errors: trail),
                        tier: .primary, model: model, errorType: nil, inputTokens: tokens.input, outputTokens: tokens.output,
                        attempts: trail.count + 1)
                    succeeded.cacheCreationTokens = tokens.cacheCreation
                    succeeded.cacheCreation1hTokens = tokens.cacheCreation1h
                    succeeded.cacheReadTokens = tokens.cacheRead
                    answer = succeeded
                case .failed(let body, let type):
                    answer = StoredAnswer(
                        state: .errored, result: OutputLine.batchErroredResult(errorBody: body),
                        servedBy: OutputLine.batchServedBy(model: nil, tier: .none, attempts: trail.count + 1, errors: trail + [type]),
                        tier: .none, model: nil, errorType: type, inputTokens: 0, outputTokens: 0, attempts: trail.count + 1)
                }
                var existing: String?
                try db.query("SELECT state FROM requests WHERE key = ?", [.text(request.key)]) { row in existing = row.text(0) }
                if existing == "succeeded" { continue }
                let values: [SQLiteValue] = [
                    .text(answer.state.rawValue), .blob(answer.result), .blob(answer.servedBy), .text(answer.tier.rawValue),
                    answer.model.map(SQLiteValue.text) ?? .null, answer.errorType.map(SQLiteValue.text) ?? .null,
                    .integer(Int64(answer.inputTokens)), .integer(Int64(answer.outputTokens)), .integer(Int64(answer.attempts)),
                    .real(now), .integer(Int64(answer.cacheCreationTokens)), .integer(Int64(answer.cacheCreation1hTokens)),
                    .integer(Int64(answer.cacheReadTokens)),
                ]
                if existing == nil {
                    try db.query(
                        """
                        INSERT INTO requests(state, result, served_by, tier, served_model, error_type, input_tokens, output_tokens,
                          attempts, updated_at, cache_creation_tokens, cache_creation_1h_tokens, cache_read_tokens, key, model,
                          messages_key, dispatches, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
                        """, values + [.text(request.key), .text(request.model), .text(request.messagesKey), .real(now)])
                } else {
                    try db.query(
                        """
                        UPDATE requests SET state = ?, result = ?, served_by = ?, tier = ?, served_model = ?, error_type = ?,
                          input_tokens = ?, output_tokens = ?, attempts = ?, updated_at = ?, cache_creation_tokens = ?,
                          cache_creation_1h_tokens = ?, cache_read_tokens = ?, owner = NULL, lease_expires = NULL
                        WHERE key = ?
                        """, values + [.text(request.key)])
                }
                stored.append(answer)
            }
            return stored
        }
    }
}

extension OutputLine {
    /// `served_by` of an answer from the Message Batches backend: the messages backend's object
    /// with `"backend":"batches"` added. `attempts` counts the batches the key went through,
    /// `errors` what ended the earlier ones (`expired`, `overloaded_error`, …).
    static func batchServedBy(model: String?, tier: ServedTier, attempts: Int, errors: [String]) -> [UInt8] {
        var bytes = servedBy(model: model, tier: tier, attempts: attempts, errors: errors)
        bytes.removeLast()  // "}"
        bytes.append(contentsOf: #","backend":"batches"}"#.utf8)
        return bytes
    }

    /// `{"type":"errored","error":…}` around the API's error body from a batch result.
    static func batchErroredResult(errorBody: [UInt8]) -> [UInt8] {
        Array(#"{"type":"errored","error":"#.utf8) + errorBody + [0x7D]
    }
}

extension Store {
    /// Records a key errored after it went through `trail.count` batches without an answer
    /// (each expired, canceled or met a transient error).
    func recordBatchGaveUp(key: String, model: String, messagesKey: String, trail: [String]) throws(StoreError) {
        let last = trail.last ?? "expired"
        let failure = RequestFailure(
            kind: .connection, errorType: last,
            message: "no answer after \(trail.count) batches (\(trail.joined(separator: ", ")))")
        let answer = StoredAnswer(
            state: .errored, result: OutputLine.erroredResult(failure),
            servedBy: OutputLine.batchServedBy(model: nil, tier: .none, attempts: trail.count, errors: trail),
            tier: .none, model: nil, errorType: last, inputTokens: 0, outputTokens: 0, attempts: trail.count)
        let now = self.now()
        try db.query(
            """
            INSERT INTO requests(key, model, messages_key, state, result, served_by, tier, error_type, attempts, dispatches, created_at, updated_at)
            VALUES (?, ?, ?, 'errored', ?, ?, 'none', ?, ?, ?, ?, ?)
            ON CONFLICT(key) DO UPDATE SET state = 'errored', result = excluded.result, served_by = excluded.served_by, tier = 'none',
              error_type = excluded.error_type, attempts = excluded.attempts, updated_at = excluded.updated_at
            WHERE requests.state != 'succeeded'
            """,
            [
                .text(key), .text(model), .text(messagesKey), .blob(answer.result), .blob(answer.servedBy), .text(last),
                .integer(Int64(trail.count)), .integer(Int64(trail.count)), .real(now), .real(now),
            ])
    }
}
