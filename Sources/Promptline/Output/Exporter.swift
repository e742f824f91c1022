import Foundation

/// Rebuilds a job's output from one or more stores alone, sending nothing: the same lines, byte
/// for byte, that `run` wrote. Several stores (one per shard) merge into one output in input order.
public struct Exporter: Sendable {
    /// What an export wrote.
    public struct Result: Sendable {
        public var records = 0
        /// Records with no answer in any store (the output is then not written).
        public var missing = 0
        public var invalid = 0
        public var errored = 0
        public var faults: [String] = []
    }

    private let stores: [Store]
    private let inputs: [String]
    private let defaults: RecordDefaults
    private let maxLineBytes: Int

    public init(stores: [Store], inputs: [String], defaults: RecordDefaults, maxLineBytes: Int) {
        self.stores = stores
        self.inputs = inputs
        self.defaults = defaults
        self.maxLineBytes = maxLineBytes
    }

    /// Writes the output to `path` (beside it first, renamed into place only when complete).
    public func export(to path: String) async throws -> Result {
        let input = InputStream(paths: inputs, defaults: defaults, maxLineBytes: maxLineBytes, strict: false)
        let writer = try OutputWriter(path: path, resumeOffset: 0)
        var result = Result()
        while let batch = await input.nextBatch() {
            let answers = try await stores.answers(to: batch)
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
                    lines.append(OutputLine.answered(customID: record.customID, key: record.key, answer: answer, metadata: record.metadata))
                }
            }
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
