import Foundation

/// Prices in US dollars per million tokens, to estimate what a job costs.
///
/// The built-in table is a dated JSON document (``builtInDocument``, list prices); `--prices FILE`
/// lays another document, or a flat `{"model-id": {"input": 3, "output": 15}}` map, over it. A model
/// is found by its exact id, or by its id without a snapshot date or `-latest` suffix
/// (`claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`); any other model has no price: its cost is
/// unknown, never $0. Cache writes cost 1.25× (5-minute) or 2× (1-hour) the input price and cache
/// reads 0.1× unless a model's entry says otherwise; the Message Batches API costs
/// ``batchMultiplier`` of the list price.
public struct PriceTable: Sendable {
    /// One model's price per million tokens.
    public struct Price: Sendable, Codable, Equatable {
        var input: Double
        var output: Double
        /// Explicit cache prices, when they are not the usual multiples of `input`.
        var cacheWrite5m: Double?
        var cacheWrite1h: Double?
        var cacheRead: Double?
        /// A higher price for requests whose prompt is longer than a threshold.
        var longContext: LongContext?

        init(
            input: Double, output: Double, cacheWrite5m: Double? = nil, cacheWrite1h: Double? = nil, cacheRead: Double? = nil,
            longContext: LongContext? = nil
        ) {
            self.input = input
            self.output = output
            self.cacheWrite5m = cacheWrite5m
            self.cacheWrite1h = cacheWrite1h
            self.cacheRead = cacheRead
            self.longContext = longContext
        }

        enum CodingKeys: String, CodingKey {
            case input, output
            case cacheWrite5m = "cache_write_5m"
            case cacheWrite1h = "cache_write_1h"
            case cacheRead = "cache_read"
            case longContext = "long_context"
        }
    }

    /// Prices for prompts (input + cache writes + cache reads) over `aboveInputTokens`.
    struct LongContext: Sendable, Codable, Equatable {
        var aboveInputTokens: Int
        var input: Double
        var output: Double

        init(aboveInputTokens: Int, input: Double, output: Double) {
            self.aboveInputTokens = aboveInputTokens
            self.input = input
            self.output = output
        }

        enum CodingKeys: String, CodingKey {
            case aboveInputTokens = "above_input_tokens"
            case input, output
        }
    }

    /// A price document: `{"as_of": "YYYY-MM-DD", "models": {...}, ...}`.
    struct Document: Codable {
        var asOf: String?
        var source: String?
        var batchMultiplier: Double?
        var cacheWrite5mMultiplier: Double?
        var cacheWrite1hMultiplier: Double?
        var cacheReadMultiplier: Double?
        var models: [String: Price]

        enum CodingKeys: String, CodingKey {
            case asOf = "as_of"
            case source
            case batchMultiplier = "batch_multiplier"
            case cacheWrite5mMultiplier = "cache_write_5m_multiplier"
            case cacheWrite1hMultiplier = "cache_write_1h_multiplier"
            case cacheReadMultiplier = "cache_read_multiplier"
            case models
        }
    }

    private var prices: [String: Price]
    /// The date the prices were taken (the built-in table's, or the `--prices` file's when it has one).
    public private(set) var asOf: String?
    /// The share of the list price the Message Batches API costs.
    public private(set) var batchMultiplier = 0.5
    private(set) var cacheWrite5mMultiplier = 1.25
    private(set) var cacheWrite1hMultiplier = 2.0
    private(set) var cacheReadMultiplier = 0.1
    /// What every cost is further multiplied by: 1 at the list price, ``batchMultiplier`` for a table
    /// made by ``batchPriced()``.
    private(set) var factor = 1.0

    /// This table at the Message Batches price (every cost times ``batchMultiplier``).
    func batchPriced() -> PriceTable {
        var table = self
        table.factor = batchMultiplier
        return table
    }

    init(prices: [String: Price]) {
        self.prices = prices
    }

    init(document: Document) {
        self.prices = document.models
        self.asOf = document.asOf
        lay(document)
    }

    private mutating func lay(_ document: Document) {
        prices.merge(document.models) { _, new in new }
        asOf = document.asOf ?? asOf
        batchMultiplier = document.batchMultiplier ?? batchMultiplier
        cacheWrite5mMultiplier = document.cacheWrite5mMultiplier ?? cacheWrite5mMultiplier
        cacheWrite1hMultiplier = document.cacheWrite1hMultiplier ?? cacheWrite1hMultiplier
        cacheReadMultiplier = document.cacheReadMultiplier ?? cacheReadMultiplier
    }

    /// The built-in table (``builtInDocument``).
    public static let builtIn: PriceTable = {
        do {
            return PriceTable(document: try JSONDecoder().decode(Document.self, from: Data(builtInDocument.utf8)))
        } catch {
            preconditionFailure("the built-in price table is not valid: \(error)")
        }
    }()

    /// The built-in table with the entries of a JSON file laid over it: a price document
    /// (`{"as_of":…, "models": {…}}`) or a flat `{"model": {"input": …, "output": …}}` map.
    public static func loading(overrides path: String?) throws -> PriceTable {
        guard let path else { return .builtIn }
        return try PriceTable.builtIn.laying(Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// This table with a price document or flat map laid over it.
    func laying(_ data: Data) throws -> PriceTable {
        var table = self
        if let document = try? JSONDecoder().decode(Document.self, from: data) {
            table.lay(document)
        } else {
            table.prices.merge(try JSONDecoder().decode([String: Price].self, from: data)) { _, new in new }
        }
        return table
    }

    /// The price of a model: its exact entry, else the entry of its id without a snapshot date
    /// (`-20250929`) or `-latest`; nil when the table does not know it.
    public func price(for model: String) -> Price? {
        ModelName.lookupNames(model).lazy.compactMap { prices[$0] }.first
    }

    /// Dollars for the given tokens of one request on `model`, at the batch price when `batch`;
    /// nil when the model has no price (its cost is unknown, not zero).
    func cost(model: String, tokens: TokenCount, batch: Bool = false) -> Double? {
        guard let price = price(for: model) else { return nil }
        return cost(price: price, tokens: tokens, batch: batch)
    }

    /// Dollars for `tokens` at `price`; a long-context price applies when the tokens are over its threshold.
    func cost(price: Price, tokens: TokenCount, batch: Bool = false) -> Double {
        var input = price.input
        var output = price.output
        if let long = price.longContext, tokens.promptTokens > long.aboveInputTokens {
            input = long.input
            output = long.output
        }
        let write5m = price.cacheWrite5m ?? input * cacheWrite5mMultiplier
        let write1h = price.cacheWrite1h ?? input * cacheWrite1hMultiplier
        let read = price.cacheRead ?? input * cacheReadMultiplier
        let fiveMinute = max(0, tokens.cacheCreation - tokens.cacheCreation1h)
        let dollars =
            (Double(tokens.input) * input + Double(tokens.output) * output + Double(fiveMinute) * write5m
                + Double(tokens.cacheCreation1h) * write1h + Double(tokens.cacheRead) * read) / 1_000_000
        return (batch ? dollars * batchMultiplier : dollars) * factor
    }

    /// Dollars for input and output tokens alone (no cache), nil for an unknown model.
    func cost(model: String, inputTokens: Int, outputTokens: Int) -> Double? {
        cost(model: model, tokens: TokenCount(input: inputTokens, output: outputTokens))
    }
}
