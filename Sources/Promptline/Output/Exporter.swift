import Foundation

/// Rebuilds a job's output from one or more stores alone, sending nothing: the same lines, byte
/// for byte, that `run` wrote. Several stores (one per shard) merge into one output in input order.
public struct Exporter: Sendable {
    /// What an export wrote.
    public struct Result: Sendable {
        /// Records read from the input, invalid lines included.
        public var records = 0
        /// Records with no answer in any store (the output is then not written).
        public var missing = 0
        /// Invalid input lines (written as `invalid` lines).
        public var invalid = 0
        /// Records whose stored answer is `errored`.
        public var errored = 0
        /// Records that asked for JSON and have an answer without `parsed` (refused, cut at the cap, not JSON).
        public var unparsed = 0
        /// Input faults met while reading, one message each.
        public var faults: [String] = []
    }

    private let stores: [Store]
    private let inputs: [String]
    private let defaults: RecordDefaults
    private let maxLineBytes: Int
    /// nil: the JSONL output itself; otherwise a CSV table of these columns.
    private let csv: CSVWriter?

    /// - Parameter csv: write the table of these columns instead of the JSONL output.
    public init(stores: [Store], inputs: [String], defaults: RecordDefaults, maxLineBytes: Int, csv: CSVWriter? = nil) {
        self.stores = stores
        self.inputs = inputs
        self.defaults = defaults
        self.maxLineBytes = maxLineBytes
        self.csv = csv
    }

    /// Writes the output to `path` (beside it first, renamed into place only when complete).
    public func export(to path: String) async throws -> Result {
        let input = InputStream(paths: inputs, defaults: defaults, maxLineBytes: maxLineBytes, strict: false)
        let writer = try OutputWriter(path: path, resumeOffset: 0)
        var result = Result()
        if let csv { try await writer.write([csv.header]) }
        while let batch = await input.nextBatch() {
            var answers = try await stores.answers(to: batch)
            try await StructuredChain.present(batch, stored: &answers, cap: defaults.maxTokensCap) { [stores] records in
                try await stores.answers(to: records)
            }
            var lines: [[UInt8]] = []
            for parsed in batch {
                result.records += 1
                switch parsed {
                case .invalid(let invalid):
                    result.invalid += 1
                    lines.append(OutputLine.invalid(invalid))
                case .valid(let record):
                    guard let answer = answers[record.key] else {
                        result.missing += 1
                        continue
                    }
                    if answer.state == .errored { result.errored += 1 }
                    if let structured = answer.structured, [.refused, .cut, .unparsable].contains(structured.kind) { result.unparsed += 1 }
                    lines.append(OutputLine.answered(customID: record.customID, key: record.key, answer: answer, metadata: record.metadata))
                }
            }
            if let csv { lines = lines.map(csv.row(forLine:)) }
            if result.missing == 0 { try await writer.write(lines) }
        }
        result.faults = await input.faults
        if result.missing == 0 && result.faults.isEmpty {
            _ = try await writer.finish()
        } else {
            await writer.abandon()
            try? FileManager.default.removeItem(atPath: writer.partialPath)
        }
        return result
    }
}
