extension Store {
    /// Makes every later commit durable against power loss and OS crashes, not only process crashes.
    ///
    /// The store runs in WAL mode with `synchronous = NORMAL`: a committed transaction survives a
    /// crash of the process (`kill -9`), but the last commits before a power cut or kernel panic
    /// may be rolled back. With `synchronous = FULL` each commit waits for the WAL to reach the
    /// disk (fsync), so a committed answer survives those too, at the cost of one fsync a commit.
    /// (`run --durable`.)
    public func makeDurable() throws(StoreError) {
        try db.execute("PRAGMA synchronous = FULL")
    }

    /// The connection's `synchronous` setting: 1 NORMAL, 2 FULL.
    func synchronousLevel() throws(StoreError) -> Int {
        var level = -1
        try db.query("PRAGMA synchronous") { row in level = Int(row.int(0)) }
        return level
    }
}
