extension Store {
    private static func switchName(_ output: String) -> String { "deadline_switch:" + output }

    /// Records that the deadline job writing `output` switched to Messages: its open batches are
    /// canceled and no new one is created, whatever process resumes it, until the job finishes.
    func recordDeadlineSwitch(output: String) throws(StoreError) {
        try db.query(
            "INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)", [.text(Self.switchName(output)), .text(String(now()))])
    }

    /// Whether the deadline job writing `output` has switched to Messages.
    func deadlineSwitched(output: String) throws(StoreError) -> Bool {
        var found = false
        try db.query("SELECT 1 FROM meta WHERE name = ?", [.text(Self.switchName(output))]) { _ in found = true }
        return found
    }

    /// Forgets the switch once the job is finished (``finishJob(output:records:offset:summary:)``):
    /// a later run of the same output starts batches first.
    func clearDeadlineSwitch(output: String) throws(StoreError) {
        try db.query("DELETE FROM meta WHERE name = ?", [.text(Self.switchName(output))])
    }
}
