/// `run --dry-run`: reads and keys the whole input, asks the store what is answered, and reports
/// what a real run would send and what it could cost. Sends nothing.
public struct DryRun: Sendable {
    /// What a real run would do.
    public struct Report: Sendable, Codable, Equatable {
        var records = 0
        var invalid = 0
        /// Records whose key the store already answers.
        var answeredInStore = 0
        /// Distinct keys a real run would send (an in-input repeat is sent once).
        var requestsToSend = 0
        /// Estimated input tokens of those requests (``TokenEstimate``).
        var estimatedInputTokens = 0
        /// Their `max_tokens` added up: the most output they could generate.
        var maxOutputTokens = 0
        /// Worst-case dollars (estimated input, full max_tokens output) per primary model.
        var worstCaseCostByModel: [String: Double] = [:]
        /// Primary models without a price: their cost is unknown (left out of the figures above).
        var unpricedModels: [String] = []
        /// Input faults met while reading (unreadable files), one message each.
        public var faults: [String] = []
        /// The worst case at the Message Batches price (`--backend batches`), shown beside the list price.
        public var batchWorstCaseCost: Double?
        /// Prompt caching as `--prompt-cache auto` would do it (``CacheEstimate``).
        var promptCache = CacheEstimate()

        /// Worst-case dollars over every priced model, at the list price.
        public var worstCaseCost: Double { worstCaseCostByModel.values.reduce(0, +) }

        /// The human report.
        public var text: String {
            var lines = [
                "promptline dry run: \(records) records (\(invalid) invalid), \(answeredInStore) answered in the store",
                "  requests to send: \(requestsToSend); estimated input tokens \(estimatedInputTokens), at most \(maxOutputTokens) output tokens",
                "  worst-case cost $\(String(format: "%.4f", worstCaseCost))" + (unpricedModels.isEmpty ? "" : " + unknown"),
            ]
            if let batchWorstCaseCost {
                lines[2] =
                    "  worst-case cost $\(String(format: "%.4f", batchWorstCaseCost)) at the batch price (--backend batches; "
                    + "$\(String(format: "%.4f", worstCaseCost)) through the messages backend)"
            }
            for (model, cost) in worstCaseCostByModel.sorted(by: { $0.key < $1.key }) {
                lines.append("    \(model): $\(String(format: "%.4f", cost))")
            }
            if promptCache.prefixes > 0 {
                lines.append(
                    "  prompt cache: \(promptCache.prefixes) shared prefixes; about \(promptCache.writeTokens) tokens written, "
                        + "\(promptCache.readTokens) read; saves about $\(String(format: "%.4f", promptCache.savedUSD)) of input "
                        + "(\(String(format: "%.4f", promptCache.batchSavedUSD)) at the batch price) against no caching")
            }
            if !unpricedModels.isEmpty {
                lines.append("  cost unknown for \(unpricedModels.joined(separator: ", ")): no price in the table (give one with --prices)")
            }
            lines += faults.map { "  input fault: \($0)" }
            return lines.joined(separator: "\n")
        }
    }

    private let options: JobOptions
    private let store: Store

    /// A dry run of the job `options` describe, against the answers `store` holds.
    public init(options: JobOptions, store: Store) {
        self.options = options
        self.store = store
    }

    /// Reads the input and the store, sending nothing, and reports what a run would do.
    public func run() async throws -> Report {
        let input = InputStream(
            paths: options.inputs, defaults: options.defaults, maxLineBytes: options.maxLineBytes, strict: options.strict,
            shard: options.shard)
        var report = Report()
        var prefixes = CacheEstimate.Tally()
        while let batch = await input.nextBatch() {
            try Task.checkCancellation()
            let stored = try await store.answers(to: batch, includeErrored: !options.retryErrored)
            // Keys to send are deduped in a temporary table, not in memory: flat whatever the input size.
            var unanswered: [RequestKey] = []
            for case .valid(let record) in batch where stored[record.key] == nil { unanswered.append(record.key) }
            var fresh = try await store.firstSightings(unanswered).makeIterator()
            for parsed in batch {
                report.records += 1
                guard case .valid(let record) = parsed else {
                    report.invalid += 1
                    continue
                }
                if stored[record.key] != nil {
                    report.answeredInStore += 1
                } else if fresh.next() == true {
                    report.requestsToSend += 1
                    let input = TokenEstimate.inputTokens(bodyBytes: record.body.count)
                    report.estimatedInputTokens += input
                    report.maxOutputTokens += record.maxTokens
                    if let prefix = CachePrefix.automatic(in: record, mode: options.promptCache), let level = prefix.levels.first {
                        prefixes.add(level, model: record.model)
                    }
                    if let cost = options.prices.cost(model: record.model, inputTokens: input, outputTokens: record.maxTokens) {
                        report.worstCaseCostByModel[record.model, default: 0] += cost
                    } else if !report.unpricedModels.contains(record.model) {
                        report.unpricedModels.append(record.model)
                    }
                }
            }
        }
        report.promptCache = CacheEstimate(prefixes, prices: options.prices)
        report.faults = await input.faults
        return report
    }
}
