import Synchronization

/// The job's estimated spend, for `--budget-usd` and the summary.
///
/// Before each attempt the worst case of the request (its estimated input tokens and its full
/// `max_tokens` of output, at the model's price) is reserved; dispatch stops before the spend so
/// far plus what is reserved would pass the budget. An answered request settles at its reported
/// usage, cache writes and reads included; a failed one gives its reservation back (failed requests
/// are not billed). A model without a price adds nothing and is named in ``unpriced``: its cost is
/// unknown, not zero.
final class SpendMeter: Sendable {
    private struct State {
        var spent = 0.0
        /// What the same answers would have cost with every prompt token billed as plain input.
        var spentWithoutCache = 0.0
        var reserved = 0.0
        var byModel: [String: Double] = [:]
        var unpriced: Set<String> = []
    }

    private let state = Mutex(State())
    /// The budget in dollars, if one was given.
    let budget: Double?
    let prices: PriceTable

    init(budget: Double?, prices: PriceTable) {
        self.budget = budget
        self.prices = prices
    }

    /// The worst-case dollars of one attempt; nil when the model has no price. An attempt sent
    /// with a cache breakpoint may write its prefix (`cacheWrite`, bytes of the prefix), which
    /// costs more than plain input.
    func worstCase(model: String, bodyBytes: Int, maxTokens: Int, cacheWrite: (lifetime: CacheLifetime, bytes: Int)? = nil) -> Double? {
        let input = TokenEstimate.inputTokens(bodyBytes: bodyBytes)
        guard let cacheWrite else { return prices.cost(model: model, inputTokens: input, outputTokens: maxTokens) }
        let written = min(input, TokenEstimate.inputTokens(bodyBytes: cacheWrite.bytes))
        let tokens = TokenCount(
            input: input - written, output: maxTokens, cacheCreation: written,
            cacheCreation1h: cacheWrite.lifetime == .oneHour ? written : 0)
        return prices.cost(model: model, tokens: tokens)
    }

    /// Reserves `amount`; false (nothing reserved) when the budget could be passed.
    func reserve(_ amount: Double) -> Bool {
        state.withLock { state in
            if let budget, state.spent + state.reserved + amount > budget { return false }
            state.reserved += amount
            return true
        }
    }

    /// Gives a reservation back.
    func release(_ amount: Double) {
        state.withLock { $0.reserved = max(0, $0.reserved - amount) }
    }

    /// Replaces a reservation by the cost of the usage reported.
    func settle(reserved: Double, model: String, tokens: TokenCount) {
        let cost = prices.cost(model: model, tokens: tokens)
        let withoutCache = prices.cost(model: model, tokens: TokenCount(input: tokens.promptTokens, output: tokens.output))
        state.withLock { state in
            state.reserved = max(0, state.reserved - reserved)
            guard let cost, let withoutCache else {
                state.unpriced.insert(model)
                return
            }
            state.spent += cost
            state.spentWithoutCache += withoutCache
            state.byModel[model, default: 0] += cost
        }
    }

    /// Replaces a reservation by the cost of the input and output tokens reported.
    func settle(reserved: Double, model: String, inputTokens: Int, outputTokens: Int) {
        settle(reserved: reserved, model: model, tokens: TokenCount(input: inputTokens, output: outputTokens))
    }

    /// What prompt caching saved so far: the spend with every prompt token billed as plain input,
    /// less the spend (negative when cache writes were never read).
    var savedByCache: Double {
        state.withLock { $0.spentWithoutCache - $0.spent }
    }

    /// Estimated dollars spent so far, in all and per priced model.
    var spent: (total: Double, byModel: [String: Double]) {
        state.withLock { ($0.spent, $0.byModel) }
    }

    /// Models that answered but have no price: the estimate leaves them out.
    var unpriced: [String] {
        state.withLock { $0.unpriced.sorted() }
    }
}
