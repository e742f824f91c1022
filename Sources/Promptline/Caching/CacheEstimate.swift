/// What `--prompt-cache auto` would write, read and save on the requests a dry run counts.
///
/// For each shared prefix (its first level: the instructions, or the conversation when there
/// are none) sent by `n` records: the first goes as written, the second writes it, the other
/// `n - 2` read it, as a run does. Messages writes live five minutes (1.25× the input price),
/// batch writes an hour (2×, then halved with everything else).
struct CacheEstimate: Sendable, Codable, Equatable {
    /// Prefixes seen, while the dry run reads.
    struct Tally: Sendable {
        /// Most prefixes tallied: memory stays flat over any input (later new prefixes are not estimated).
        static let limit = 100_000
        fileprivate var counts: [PrimingState.Key: (records: Int, tokens: Int)] = [:]

        mutating func add(_ level: CachePrefix.Level, model: String) {
            let key = PrimingState.Key(model: model, prefix: level.id)
            guard counts[key] != nil || counts.count < Self.limit else { return }
            counts[key, default: (0, level.tokens)].records += 1
        }
    }

    /// Prefixes sent by at least two records.
    var prefixes = 0
    var writeTokens = 0
    var readTokens = 0
    /// Dollars of input saved against no caching, through the Messages API and through batches.
    var savedUSD = 0.0
    var batchSavedUSD = 0.0

    init() {}

    init(_ tally: Tally, prices: PriceTable) {
        for (key, count) in tally.counts where count.records >= 2 {
            prefixes += 1
            let reads = (count.records - 2) * count.tokens
            writeTokens += count.tokens
            readTokens += reads
            let uncached = TokenCount(input: (count.records - 1) * count.tokens)
            let messages = TokenCount(cacheCreation: count.tokens, cacheRead: reads)
            let batch = TokenCount(cacheCreation: count.tokens, cacheCreation1h: count.tokens, cacheRead: reads)
            if let plain = prices.cost(model: key.model, tokens: uncached) {
                savedUSD += plain - (prices.cost(model: key.model, tokens: messages) ?? plain)
                batchSavedUSD += (plain - (prices.cost(model: key.model, tokens: batch) ?? plain)) * prices.batchMultiplier
            }
        }
    }
}
