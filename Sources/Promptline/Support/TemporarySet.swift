import CSQLite

/// An exact set of strings whose memory stays flat however many it holds.
///
/// It lives in a private, temporary SQLite database (opened with an empty file name: SQLite
/// keeps it in a bounded page cache, spills the rest to an unnamed file in the temporary
/// directory — `SQLITE_TMPDIR`, else `/var/tmp`, `/usr/tmp`, `/tmp` — and deletes it when closed).
/// Whole values are compared, so unlike a set of hashes there are no false repeats.
///
/// Not thread-safe: its owner (an actor on its own serial executor) is the only caller, so
/// SQLite never runs on the cooperative pool.
final class TemporarySet {
    private let db: SQLiteConnection
    private var inTransaction = false

    /// Opens an empty set; `cacheKiB` bounds the memory it uses.
    init(cacheKiB: Int = 4096) throws(StoreError) {
        db = try SQLiteConnection(path: "")
        try db.execute(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -\(cacheKiB);
            CREATE TABLE seen(value TEXT PRIMARY KEY) WITHOUT ROWID;
            """)
    }

    /// Adds `value`; true when it was not in the set yet.
    func insert(_ value: String) throws(StoreError) -> Bool {
        if !inTransaction {
            // Inserts are grouped into one transaction until `commit()` (or the next read).
            try db.execute("BEGIN")
            inTransaction = true
        }
        try db.query("INSERT OR IGNORE INTO seen(value) VALUES (?)", [.text(value)])
        return db.changes == 1
    }

    /// Ends the current group of inserts.
    func commit() throws(StoreError) {
        guard inTransaction else { return }
        inTransaction = false
        try db.execute("COMMIT")
    }

    /// How many values the set holds.
    func count() throws(StoreError) -> Int {
        var count = 0
        try db.query("SELECT count(*) FROM seen") { row in count = Int(row.int(0)) }
        return count
    }
}
