import CSQLite
import Foundation

/// The content-addressed checkpoint store: one SQLite database in WAL mode.
///
/// Every request's intent is committed before it is sent (``claim(_:model:messagesKey:retryErrored:)``)
/// and its answer before it counts as done (``complete(_:answer:)``). Several processes may share
/// one store: a key in flight carries an owner and a lease expiry, and a key another live process
/// holds is not sent twice. All SQLite calls run on the actor's own serial queue, never on the
/// cooperative pool.
public actor Store {
    /// The schema this build writes; an older store is upgraded, a newer one refused.
    static let schemaVersion = 4

    nonisolated let executor: DispatchQueueExecutor
    /// The store runs on its own serial queue (``DispatchQueueExecutor``), off the cooperative pool.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    let db: SQLiteConnection
    /// This process's lease owner id: `host/pid/nonce`.
    nonisolated let owner: String
    /// How long a claim holds a key before another process may take it over.
    nonisolated let leaseSeconds: Double
    /// Leases, claims, answers and job times are wall-clock time: other processes share the store.
    nonisolated let wallClock: WallClock
    /// True once this process made sure the messages index (for stale lookups) exists.
    private var messagesIndexReady = false
    /// Claims and answers waiting for the next group commit.
    nonisolated let writes = GroupCommit()

    /// Opens (creating if needed) the store at `path`.
    public init(
        path: String, leaseSeconds: Double = 900, busyTimeout: Double = Store.defaultBusyTimeout, wallClock: WallClock = .system
    ) throws(StoreError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        self.executor = DispatchQueueExecutor(label: "promptline.store")
        self.db = try SQLiteConnection(path: path)
        self.owner = "\(ProcessInfo.processInfo.hostName)/\(getpid())/\(UInt32.random(in: 0...UInt32.max))"
        self.leaseSeconds = leaseSeconds
        self.wallClock = wallClock
        try Self.startUp(db, busyTimeout: busyTimeout)
    }

    /// The wall-clock time now, in seconds since 1970 (as the store's columns hold it).
    nonisolated func now() -> Double { wallClock.secondsSince1970 }

    /// How long a write waits for another process's lock before giving up with a clear error.
    public static let defaultBusyTimeout = 30.0

    /// Brings a new or existing store to WAL mode and the current schema, however many processes
    /// start on it at the same instant (`make -j`).
    ///
    /// SQLite does not call the busy handler in every case here: switching a new file to WAL and a
    /// reader racing the first writer's schema can answer `SQLITE_BUSY` at once. So each step is
    /// retried (jittered, a few milliseconds apart) until it succeeds or `busyTimeout` has passed;
    /// every step is idempotent, and the migration runs in one `BEGIN IMMEDIATE` transaction.
    private static func startUp(_ db: SQLiteConnection, busyTimeout: Double) throws(StoreError) {
        let deadline = ContinuousClock.now + .seconds(busyTimeout)
        try db.execute("PRAGMA busy_timeout = \(Int(busyTimeout * 1000))")  // SQLite counts milliseconds
        try db.retryingWhileBusy(until: deadline, waited: busyTimeout) { () throws(StoreError) in
            var mode = ""
            try db.query("PRAGMA journal_mode = WAL") { row in mode = row.text(0) ?? "" }
            guard mode.lowercased() == "wal" else {
                throw StoreError(code: .busy, path: db.path, message: "journal mode is still \(mode)")
            }
        }
        try db.execute("PRAGMA synchronous = NORMAL")
        // Checkpoint the WAL into the database every 8,192 pages (32 MiB) rather than SQLite's 1,000:
        // a page written by many commits is copied back once, and each checkpoint's two fsyncs are
        // paid an eighth as often.
        try db.execute("PRAGMA wal_autocheckpoint = 8192")
        try db.retryingWhileBusy(until: deadline, waited: busyTimeout) { () throws(StoreError) in try migrate(db) }
    }

    private static func migrate(_ db: SQLiteConnection) throws(StoreError) {
        try db.transaction { () throws(StoreError) in
            try db.execute("CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT NOT NULL)")
            var version = 0
            try db.query("SELECT value FROM meta WHERE name = 'schema_version'") { row in
                version = Int(row.text(0) ?? "0") ?? 0
            }
            if version > schemaVersion {
                throw StoreError(
                    code: .schemaTooNew, path: db.path,
                    message: "store schema \(version) is newer than this promptline understands (\(schemaVersion)); upgrade promptline")
            }
            if version < 1 {
                try db.execute(
                    """
                    CREATE TABLE requests(
                      key TEXT PRIMARY KEY,
                      model TEXT NOT NULL,
                      messages_key TEXT NOT NULL,
                      state TEXT NOT NULL,
                      owner TEXT,
                      lease_expires REAL,
                      dispatches INTEGER NOT NULL DEFAULT 0,
                      interrupted INTEGER NOT NULL DEFAULT 0,
                      attempts INTEGER NOT NULL DEFAULT 0,
                      result BLOB,
                      served_by BLOB,
                      tier TEXT,
                      served_model TEXT,
                      error_type TEXT,
                      input_tokens INTEGER NOT NULL DEFAULT 0,
                      output_tokens INTEGER NOT NULL DEFAULT 0,
                      created_at REAL NOT NULL,
                      updated_at REAL NOT NULL);
                    CREATE INDEX requests_messages ON requests(messages_key);
                    CREATE INDEX requests_state ON requests(state);
                    CREATE TABLE jobs(
                      output TEXT PRIMARY KEY,
                      fingerprint TEXT NOT NULL,
                      inputs TEXT NOT NULL,
                      records_written INTEGER NOT NULL DEFAULT 0,
                      output_offset INTEGER NOT NULL DEFAULT 0,
                      total_records INTEGER,
                      finished INTEGER NOT NULL DEFAULT 0,
                      started_at REAL NOT NULL,
                      updated_at REAL NOT NULL,
                      summary TEXT);
                    INSERT OR REPLACE INTO meta(name, value) VALUES ('schema_version', '1');
                    """)
            }
            if version < 2 {
                // Cache tokens and stop reasons of answers.
                try db.execute(
                    """
                    ALTER TABLE requests ADD COLUMN cache_creation_tokens INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE requests ADD COLUMN cache_creation_1h_tokens INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE requests ADD COLUMN cache_read_tokens INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE requests ADD COLUMN stop_reason TEXT;
                    INSERT OR REPLACE INTO meta(name, value) VALUES ('schema_version', '2');
                    """)
            }
            if version < 3 {
                try migrateBatches(db)
            }
            if version < 4 {
                // Two indexes every claim and answer paid for (a random page each) and only `status`, a stop
                // and the stale tier read: the state index goes; the messages index is made on the first
                // stale lookup (``staleAnswer(messagesKey:excluding:)``), so only jobs using it maintain it.
                try db.execute(
                    """
                    DROP INDEX IF EXISTS requests_state;
                    DROP INDEX IF EXISTS requests_messages;
                    INSERT OR REPLACE INTO meta(name, value) VALUES ('schema_version', '4');
                    """)
            }
        }
    }

    /// Runs raw SQL on the store's connection (for tests that stage states a crash would leave).
    func execute(_ sql: String) throws(StoreError) {
        try db.execute(sql)
    }

    /// The first column of each row `sql` returns, as text (for tests that look at the schema).
    func texts(_ sql: String) throws(StoreError) -> [String] {
        var texts: [String] = []
        try db.query(sql) { row in texts.append(row.text(0) ?? "") }
        return texts
    }

    // MARK: Answers

    /// The stored final answers among `keys` (keys pending or in flight are absent).
    func answers(for keys: [RequestKey], includeErrored: Bool = true) throws(StoreError) -> [RequestKey: StoredAnswer] {
        var found: [RequestKey: StoredAnswer] = [:]
        guard !keys.isEmpty else { return found }
        // One read transaction for the whole batch: one snapshot, one lock round.
        try db.execute("BEGIN")
        defer { try? db.execute("COMMIT") }
        for key in keys where found[key] == nil {
            try db.query(Self.selectAnswer, [.text(key.rawValue)]) { row in
                if let answer = Self.answer(row), includeErrored || answer.state == .succeeded {
                    found[key] = answer
                }
            }
        }
        return found
    }

    /// The columns ``answer(_:from:)`` reads, in order.
    static let answerColumns = """
        state, result, served_by, tier, served_model, error_type, input_tokens, output_tokens, attempts,
        cache_creation_tokens, cache_creation_1h_tokens, cache_read_tokens, stop_reason
        """

    private static let selectAnswer = """
        SELECT \(answerColumns)
        FROM requests WHERE key = ? AND state IN ('succeeded', 'errored', 'degraded')
        """

    /// The answer in a row of ``answerColumns`` starting at column `first`.
    static func answer(_ row: SQLiteRow, from first: Int32 = 0) -> StoredAnswer? {
        guard let state = row.text(first).flatMap(StoredAnswer.State.init(rawValue:)) else { return nil }
        let tier = row.text(first + 3).flatMap(ServedTier.init(rawValue:)) ?? ServedTier.none
        var answer = StoredAnswer(
            state: state, result: row.bytes(first + 1) ?? [], servedBy: row.bytes(first + 2) ?? [], tier: tier,
            model: row.text(first + 4), errorType: row.text(first + 5), inputTokens: Int(row.int(first + 6)),
            outputTokens: Int(row.int(first + 7)), attempts: Int(row.int(first + 8)))
        answer.cacheCreationTokens = Int(row.int(first + 9))
        answer.cacheCreation1hTokens = Int(row.int(first + 10))
        answer.cacheReadTokens = Int(row.int(first + 11))
        answer.stopReason = row.text(first + 12)
        return answer
    }

    /// Commits the intent to send `key` (state in flight, owned by this process, lease running),
    /// unless it is answered already or another live process holds it.
    ///
    /// Claims and answers arriving together share one transaction (``GroupCommit``); this returns
    /// once the transaction holding this claim has committed.
    nonisolated func claim(
        _ key: RequestKey, model: String, messagesKey: String, retryErrored: Bool
    ) async throws(StoreError) -> ClaimOutcome {
        try await submit(.claim(key: key, model: model, messagesKey: messagesKey, retryErrored: retryErrored)).claimOutcome
    }

    /// Commits the final answer for a key this process holds. A key answered meanwhile (by another
    /// process that took over an expired lease) keeps its first answer: answers are never rewritten.
    ///
    /// Returns (with the answer the store keeps) once the transaction holding it has committed: only
    /// then does the record count as done.
    @discardableResult
    nonisolated func complete(_ key: RequestKey, answer: StoredAnswer) async throws(StoreError) -> StoredAnswer {
        try await submit(.complete(key: key, answer: answer)).storedAnswer
    }

    /// Claims `key` inside the current transaction.
    func claimRow(
        _ key: RequestKey, model: String, messagesKey: String, retryErrored: Bool, now: Double
    ) throws(StoreError) -> ClaimOutcome {
        let owner = self.owner
        let lease = now + leaseSeconds
        // A key never seen (the common case) is claimed by the insert alone; one already there is read.
        try db.query(
            """
            INSERT INTO requests(key, model, messages_key, state, owner, lease_expires, dispatches, created_at, updated_at)
            VALUES (?, ?, ?, 'inflight', ?, ?, 1, ?, ?) ON CONFLICT(key) DO NOTHING
            """,
            [.text(key.rawValue), .text(model), .text(messagesKey), .text(owner), .real(lease), .real(now), .real(now)])
        if db.changes == 1 { return .claimed(interrupted: false) }
        var current: (state: RequestState, owner: String?, expires: Double)?
        var stored: StoredAnswer?
        try db.query(Self.selectClaim, [.text(key.rawValue)]) { row in
            current = (row.text(2).flatMap(RequestState.init(rawValue:)) ?? .pending, row.text(0), row.double(1))
            stored = Self.answer(row, from: 2)
        }
        guard let current else {
            throw StoreError(code: .corrupt, path: db.path, message: "key \(key) neither inserted nor found")
        }
        if let stored, stored.state == .succeeded || !retryErrored {
            return .done(stored)
        }
        var interrupted = false
        if current.state == .inflight, let holder = current.owner, holder != owner {
            if current.expires > now && LeaseOwner.isAlive(holder) {
                return .leased(until: current.expires)
            }
            interrupted = true
        }
        try db.query(
            """
            UPDATE requests SET state = 'inflight', owner = ?, lease_expires = ?, dispatches = dispatches + 1,
              interrupted = interrupted + ?, updated_at = ? WHERE key = ?
            """,
            [.text(owner), .real(lease), .integer(interrupted ? 1 : 0), .real(now), .text(key.rawValue)])
        return .claimed(interrupted: interrupted)
    }

    private static let selectClaim = "SELECT owner, lease_expires, \(answerColumns) FROM requests WHERE key = ?"

    /// Stores the answer for `key` inside the current transaction, unless it already succeeded.
    func completeRow(_ key: RequestKey, answer: StoredAnswer, now: Double) throws(StoreError) -> StoredAnswer {
        // One statement in the common case: the update skips a key whose answer already succeeded.
        try db.query(
            """
            UPDATE requests SET state = ?, owner = NULL, lease_expires = NULL, result = ?, served_by = ?, tier = ?,
              served_model = ?, error_type = ?, input_tokens = ?, output_tokens = ?, attempts = attempts + ?, updated_at = ?,
              cache_creation_tokens = ?, cache_creation_1h_tokens = ?, cache_read_tokens = ?, stop_reason = ?
            WHERE key = ? AND state != 'succeeded'
            """,
            [
                .text(answer.state.rawValue), .blob(answer.result), .blob(answer.servedBy), .text(answer.tier.rawValue),
                answer.model.map(SQLiteValue.text) ?? .null, answer.errorType.map(SQLiteValue.text) ?? .null,
                .integer(Int64(answer.inputTokens)), .integer(Int64(answer.outputTokens)),
                .integer(Int64(answer.attempts)), .real(now), .integer(Int64(answer.cacheCreationTokens)),
                .integer(Int64(answer.cacheCreation1hTokens)), .integer(Int64(answer.cacheReadTokens)),
                answer.stopReason.map(SQLiteValue.text) ?? .null, .text(key.rawValue),
            ])
        if db.changes == 0 {
            // Answered meanwhile (another process took over an expired lease): its first answer stays.
            var existing: StoredAnswer?
            try db.query(Self.selectAnswer, [.text(key.rawValue)]) { row in existing = Self.answer(row) }
            if let existing, existing.state == .succeeded { return existing }
        }
        return answer
    }

    /// Extends this process's lease on a key it is still working on (long retries, long waits),
    /// so no other process takes it over while it is in flight.
    func renewLease(_ key: RequestKey) throws(StoreError) {
        try db.query(
            "UPDATE requests SET lease_expires = ? WHERE key = ? AND owner = ? AND state = 'inflight'",
            [.real(now() + leaseSeconds), .text(key.rawValue), .text(owner)])
    }

    /// Gives back every lease this process holds (on a clean stop): those keys are pending again.
    func releaseLeases() throws(StoreError) {
        try db.query(
            "UPDATE requests SET state = 'pending', owner = NULL, lease_expires = NULL WHERE owner = ? AND state = 'inflight'",
            [.text(owner)])
    }

    /// Keys whose stored answer succeeded for the same messages under other parameters (for the stale tier).
    ///
    /// The first lookup of a process makes the messages index if the store has none yet (once per
    /// store: it stays, and is kept up to date from then on).
    func staleAnswer(messagesKey: String, excluding key: RequestKey) throws(StoreError) -> StoredAnswer? {
        if !messagesIndexReady {
            try db.execute("CREATE INDEX IF NOT EXISTS requests_messages ON requests(messages_key)")
            messagesIndexReady = true
        }
        var found: StoredAnswer?
        try db.query(
            """
            SELECT \(Self.answerColumns)
            FROM requests WHERE messages_key = ? AND key != ? AND state = 'succeeded' ORDER BY updated_at LIMIT 1
            """,
            [.text(messagesKey), .text(key.rawValue)]
        ) { row in found = Self.answer(row) }
        return found
    }
}
