extension Store {
    /// For each of `keys`, in order, true when this connection has not been given it before.
    ///
    /// The keys go into a temporary table of this connection (SQLite's temporary database: a
    /// bounded page cache that spills to an unnamed temporary file), so a dry run over any number
    /// of records dedupes them exactly with flat memory. Nothing is written to the store file.
    func firstSightings(_ keys: [RequestKey]) throws(StoreError) -> [Bool] {
        guard !keys.isEmpty else { return [] }
        try db.execute("CREATE TEMP TABLE IF NOT EXISTS seen_keys(key TEXT PRIMARY KEY) WITHOUT ROWID")
        // A deferred transaction: it writes only the temporary database, so it takes no lock on the store.
        try db.execute("BEGIN")
        var fresh: [Bool] = []
        fresh.reserveCapacity(keys.count)
        do {
            for key in keys {
                try db.query("INSERT OR IGNORE INTO temp.seen_keys(key) VALUES (?)", [.text(key.rawValue)])
                fresh.append(db.changes == 1)
            }
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
        return fresh
    }
}
