import Foundation

extension Store {
    /// The checkpoint of the job writing `output`, if one was started.
    func checkpoint(output: String) throws(StoreError) -> JobCheckpoint? {
        var found: JobCheckpoint?
        try db.query(
            "SELECT output, fingerprint, records_written, output_offset, finished, total_records FROM jobs WHERE output = ?",
            [.text(output)]
        ) { row in
            found = JobCheckpoint(
                output: row.text(0) ?? output, fingerprint: row.text(1) ?? "", recordsWritten: Int(row.int(2)),
                outputOffset: Int(row.int(3)), finished: row.int(4) != 0,
                totalRecords: row.isNull(5) ? nil : Int(row.int(5)))
        }
        return found
    }

    /// Starts (or restarts from zero) the job writing `output`.
    func beginJob(output: String, fingerprint: String, inputs: [String]) throws(StoreError) {
        let now = self.now()
        try db.query(
            """
            INSERT INTO jobs(output, fingerprint, inputs, records_written, output_offset, finished, started_at, updated_at)
            VALUES (?, ?, ?, 0, 0, 0, ?, ?)
            ON CONFLICT(output) DO UPDATE SET fingerprint = excluded.fingerprint, inputs = excluded.inputs,
              records_written = 0, output_offset = 0, finished = 0, total_records = NULL, started_at = excluded.started_at,
              updated_at = excluded.updated_at
            """,
            [.text(output), .text(fingerprint), .text(inputs.joined(separator: "\n")), .real(now), .real(now)])
    }

    /// Records that the partial output holds `records` complete lines in its first `offset` bytes.
    func saveProgress(output: String, records: Int, offset: Int) throws(StoreError) {
        try db.query(
            "UPDATE jobs SET records_written = ?, output_offset = ?, updated_at = ? WHERE output = ?",
            [.integer(Int64(records)), .integer(Int64(offset)), .real(now()), .text(output)])
    }

    /// Marks the job finished: its output is complete and in place.
    func finishJob(output: String, records: Int, offset: Int, summary: [UInt8]) throws(StoreError) {
        try db.query(
            """
            UPDATE jobs SET records_written = ?, output_offset = ?, total_records = ?, finished = 1, updated_at = ?, summary = ?
            WHERE output = ?
            """,
            [.integer(Int64(records)), .integer(Int64(offset)), .integer(Int64(records)), .real(now()), .blob(summary), .text(output)])
        try clearDeadlineSwitch(output: output)
    }
}

extension Store {
    /// The summary a finished job stored.
    func jobSummary(output: String) throws(StoreError) -> JobSummary? {
        var bytes: [UInt8]?
        try db.query("SELECT summary FROM jobs WHERE output = ? AND finished = 1", [.text(output)]) { row in
            bytes = row.bytes(0)
        }
        return bytes.flatMap { try? JSONDecoder().decode(JobSummary.self, from: Data($0)) }
    }
}
