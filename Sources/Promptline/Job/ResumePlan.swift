import Foundation

/// Where a job starts, from its checkpoint in the store: nowhere (a finished job run again, see
/// ``finishedJob(for:store:)``), after the records its partial output already holds, or from the start.
///
/// A partial output is resumed only under the same ``fingerprint(of:)`` (the same inputs and
/// output-shaping options); otherwise the job begins again, its answers coming from the store.
struct ResumePlan {
    /// Input records already in the partial output (0: from the start): writing goes on after them.
    let skip: Int
    /// The output, opened on the partial output.
    let writer: OutputWriter

    /// Reads the checkpoint of a job that is not finished and opens the output where the job goes
    /// on (begins the job in the store when it starts over).
    static func make(for options: JobOptions, store: Store) async throws -> ResumePlan {
        let fingerprint = fingerprint(of: options)
        let checkpoint = try await store.checkpoint(output: options.output)
        var skip = 0
        var resumeOffset = 0
        if let checkpoint, !checkpoint.finished, checkpoint.fingerprint == fingerprint {
            skip = checkpoint.recordsWritten
            resumeOffset = checkpoint.outputOffset
        } else {
            try await store.beginJob(output: options.output, fingerprint: fingerprint, inputs: options.inputs)
        }
        let writer = try OutputWriter(path: options.output, resumeOffset: resumeOffset)
        if await writer.resumedAt != resumeOffset {
            // The partial file is shorter than the checkpoint says (removed by hand?): start it over.
            skip = 0
            try await store.beginJob(output: options.output, fingerprint: fingerprint, inputs: options.inputs)
        }
        return ResumePlan(skip: skip, writer: writer)
    }

    /// The summary of the job when it finished under the same fingerprint, its output is in place,
    /// and `--retry-errored` asks nothing of it: a rerun then reads and sends nothing.
    static func finishedJob(for options: JobOptions, store: Store) async throws -> JobSummary? {
        guard !options.retryErrored, let checkpoint = try await store.checkpoint(output: options.output), checkpoint.finished,
            checkpoint.fingerprint == fingerprint(of: options), FileManager.default.fileExists(atPath: options.output)
        else { return nil }
        return try await store.jobSummary(output: options.output)
    }

    /// A fingerprint of the inputs (paths, sizes, modification times) and of every option that
    /// shapes the output: a partial output is resumed only under the same fingerprint.
    static func fingerprint(of options: JobOptions) -> String {
        var parts: [String] = []
        for path in options.inputs {
            if path == "-" {
                parts.append("-:\(UUID().uuidString)")  // standard input never matches: rebuilt from the store
            } else {
                let attributes = try? FileManager.default.attributesOfItem(atPath: path)
                let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
                let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
                parts.append("\(path):\(size):\(modified)")
            }
        }
        let defaults = options.defaults
        parts.append("model=\(defaults.model ?? "")|max=\(defaults.maxTokens)|system=\(defaults.system ?? "")")
        parts.append("temperature=\(defaults.temperature.map { "\($0)" } ?? "")|strict=\(options.strict)|line=\(options.maxLineBytes)")
        parts.append("schema=\(defaults.outputSchema?.digest ?? "")|cap=\(defaults.maxTokensCap)")
        parts.append("fallback=\(options.fallbackModels.joined(separator: ","))|shard=\(options.shard.map { "\($0)" } ?? "")")
        return RequestKey(canonicalBytes: Array(parts.joined(separator: "\n").utf8)).rawValue
    }
}
