import Foundation

/// Prices in US dollars per million tokens, to estimate what a job costs.
///
/// A built-in table covers current models (matched by the longest id prefix, so dated ids like
/// `claude-sonnet-4-5-20250929` find their family); `--prices FILE` overrides or extends it with
/// JSON `{"model-id": {"input": 3.0, "output": 15.0}}`. ``batchPriced()`` applies the Message
/// Batches discount (half). Estimates only: caching
/// and long-context pricing are not modelled.
public struct PriceTable: Sendable {
    /// One model's price per million tokens.
    public struct Price: Sendable, Codable, Equatable {
        public var input: Double
        public var output: Double

        public init(input: Double, output: Double) {
            self.input = input
            self.output = output
        }
    }

    private var prices: [String: Price]
    /// What every cost is multiplied by: 1 at the list price, ``batchDiscount`` for the Message Batches API.
    public private(set) var factor = 1.0

    /// The Message Batches API charges half the list price for all usage.
    public static let batchDiscount = 0.5

    /// This table at the Message Batches price (every cost times ``batchDiscount``).
    public func batchPriced() -> PriceTable {
        var table = self
        table.factor = Self.batchDiscount
        return table
    }

    /// The built-in table.
    public static let builtIn = PriceTable(prices: [
        "claude-opus-4-5": Price(input: 5, output: 25),
        "claude-opus-4-1": Price(input: 15, output: 75),
        "claude-opus-4": Price(input: 15, output: 75),
        "claude-3-opus": Price(input: 15, output: 75),
        "claude-sonnet-4-5": Price(input: 3, output: 15),
        "claude-sonnet-4": Price(input: 3, output: 15),
        "claude-3-7-sonnet": Price(input: 3, output: 15),
        "claude-3-5-sonnet": Price(input: 3, output: 15),
        "claude-haiku-4-5": Price(input: 1, output: 5),
        "claude-3-5-haiku": Price(input: 0.8, output: 4),
        "claude-3-haiku": Price(input: 0.25, output: 1.25),
    ])

    public init(prices: [String: Price]) {
        self.prices = prices
    }

    /// The built-in table with the entries of a JSON file laid over it.
    public static func loading(overrides path: String?) throws -> PriceTable {
        guard let path else { return .builtIn }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let overrides = try JSONDecoder().decode([String: Price].self, from: data)
        var table = PriceTable.builtIn
        table.prices.merge(overrides) { _, new in new }
        return table
    }

    /// The price of a model: an exact entry, else the longest entry its id starts with.
    public func price(for model: String) -> Price? {
        if let exact = prices[model] { return exact }
        return prices.filter { model.hasPrefix($0.key) }.max { $0.key.count < $1.key.count }?.value
    }

    /// Dollars for the given tokens on `model` (0 for an unknown model).
    public func cost(model: String, inputTokens: Int, outputTokens: Int) -> Double {
        guard let price = price(for: model) else { return 0 }
        return (Double(inputTokens) * price.input + Double(outputTokens) * price.output) / 1_000_000 * factor
    }
}
