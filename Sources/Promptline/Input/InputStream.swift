import Foundation

/// Reads the job's input files in order, in batches, on its own serial queue: gzip inflation,
/// line splitting, JSON decoding and key hashing never run on the cooperative pool.
///
/// It also finds repeated `custom_id`s (a repeat is invalid) and, with `strict`, stops at the
/// first invalid line. A fault that stops a file (corrupt gzip, unreadable file) is kept in
/// ``fault`` and reading goes on with the next file.
actor InputStream {
    private let executor = DispatchQueueExecutor(label: "promptline.input")
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private let paths: [String]
    private let maxLineBytes: Int
    private let strict: Bool
    private let parser: RecordParser
    private var nextPath = 0
    private var reader: OpenFile?
    /// Every custom_id seen, exactly, in a set that spills to a temporary file (memory stays flat);
    /// opened on first use.
    private var seenIDs: TemporarySet?
    private var stopped = false
    private var finishedBytes = 0
    /// Every fault that stopped a file, or the first invalid line under `strict`, in order.
    private(set) var faults: [String] = []

    private let shard: Shard?

    init(paths: [String], defaults: RecordDefaults, maxLineBytes: Int, strict: Bool, shard: Shard? = nil) {
        self.shard = shard
        self.paths = paths
        self.maxLineBytes = maxLineBytes
        self.strict = strict
        self.parser = RecordParser(defaults: defaults)
    }

    /// The input's total size in bytes, when every input is a regular file (not standard input).
    nonisolated var totalBytes: Int? {
        var total = 0
        for path in paths {
            guard path != "-", let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber else {
                return nil
            }
            total += size.intValue
        }
        return total
    }

    /// Compressed bytes consumed so far, over all files.
    var bytesRead: Int { finishedBytes + (reader?.reader.bytesRead ?? 0) }

    /// The file being read (a class, so the noncopyable reader can be mutated in place).
    private final class OpenFile {
        var reader: LineReader
        init(_ reader: consuming LineReader) { self.reader = reader }
    }

    /// Up to `limit` parsed records in input order; nil when the input is exhausted (or stopped).
    func nextBatch(limit: Int = 256) -> [ParsedRecord]? {
        var batch: [ParsedRecord] = []
        batch.reserveCapacity(limit)
        while batch.count < limit, !stopped {
            if reader == nil {
                guard nextPath < paths.count else { break }
                let path = paths[nextPath]
                nextPath += 1
                do {
                    reader = OpenFile(try LineReader(path: path, maxLineBytes: maxLineBytes))
                } catch {
                    faults.append("\(error)")
                    continue
                }
            }
            guard let file = reader else { continue }
            do {
                guard let line = try file.reader.next() else {
                    finishedBytes += file.reader.bytesRead
                    reader = nil
                    continue
                }
                var record = parser.parse(line)
                if case .valid(let valid) = record, valid.customID != "line-\(line.number)",
                    try !isFirstSighting(of: valid.customID)
                {
                    record = .invalid(
                        InvalidRecord(
                            customID: valid.customID, file: line.file, line: line.number,
                            message: "custom_id \"\(valid.customID)\" repeats an earlier record's"))
                }
                if strict, case .invalid(let invalid) = record {
                    faults.append(invalid.description)
                    stopped = true
                    break
                }
                if let shard {
                    switch record {
                    case .valid(let valid) where !shard.contains(key: valid.key): continue
                    case .invalid where !shard.takesInvalidLines: continue
                    default: break
                    }
                }
                batch.append(record)
            } catch let error as StoreError {
                // The set of custom_ids seen cannot be kept (the temporary directory is full?): stop reading.
                faults.append(
                    "cannot check custom_id repeats: \(error.message) (temporary directory: SQLITE_TMPDIR, else /var/tmp or /tmp)")
                stopped = true
            } catch {
                faults.append("\(error)")
                finishedBytes += file.reader.bytesRead
                reader = nil
            }
        }
        do {
            try seenIDs?.commit()
        } catch {
            faults.append("cannot check custom_id repeats: \(error.message)")
            stopped = true
        }
        return batch.isEmpty ? nil : batch
    }

    /// True when no earlier record of the job had this custom_id.
    private func isFirstSighting(of customID: String) throws(StoreError) -> Bool {
        if seenIDs == nil { seenIDs = try TemporarySet() }
        return try seenIDs!.insert(customID)
    }
}
