import Foundation
import Testing

@testable import Promptline

@Suite struct PriceTableTests {
    @Test func datedIdsAndLatestAliasesFindTheirModelButNoOtherIdDoes() {
        #expect(PriceTable.builtIn.price(for: "claude-sonnet-4-5-20250929")?.input == 3)
        #expect(PriceTable.builtIn.price(for: "claude-opus-4-1-20250805")?.input == 15)
        #expect(PriceTable.builtIn.price(for: "claude-opus-4-20250514")?.input == 15)
        #expect(PriceTable.builtIn.price(for: "claude-3-5-haiku-latest")?.input == 0.8)
        #expect(PriceTable.builtIn.price(for: "claude-opus-4-5")?.input == 5)
        // A newer model is unknown, not priced as the family it shares a prefix with.
        #expect(PriceTable.builtIn.price(for: "claude-opus-4-9") == nil)
        #expect(PriceTable.builtIn.price(for: "gpt-4") == nil)
    }

    @Test func theBuiltInTableIsDatedAndHoldsTheListPrices() throws {
        let table = PriceTable.builtIn
        #expect(table.asOf == "2026-11-30")
        let expected: [(String, Double, Double)] = [
            ("claude-fable-5-1", 10, 50), ("claude-mythos-5-1", 10, 50), ("claude-fable-5", 10, 50), ("claude-mythos-5", 10, 50),
            ("claude-opus-5-5", 4, 20), ("claude-opus-5", 5, 25), ("claude-opus-4-8", 5, 25), ("claude-opus-4-7", 5, 25),
            ("claude-opus-4-6", 5, 25), ("claude-opus-4-5", 5, 25), ("claude-opus-4-1", 15, 75), ("claude-opus-4", 15, 75),
            ("claude-3-opus", 15, 75), ("claude-sonnet-5-5", 2, 10), ("claude-sonnet-5", 2, 10), ("claude-sonnet-4-6", 3, 15),
            ("claude-sonnet-4-5", 3, 15), ("claude-sonnet-4", 3, 15), ("claude-3-7-sonnet", 3, 15), ("claude-haiku-5-5", 0.1, 0.5),
            ("claude-haiku-4-5", 1, 5), ("claude-3-5-haiku", 0.8, 4), ("claude-3-haiku", 0.25, 1.25),
        ]
        for (model, input, output) in expected {
            let price = try #require(table.price(for: model), "\(model) must be priced")
            #expect(price.input == input && price.output == output, "\(model)")
        }
        #expect(table.price(for: "claude-fable-5-1")?.cacheRead == 0.25)
        #expect(table.price(for: "claude-sonnet-5-5")?.cacheRead == 0.10)
        #expect(table.batchMultiplier == 0.5)
    }

    @Test func costIsPerMillionTokensAndUnknownModelsHaveNoCost() {
        #expect(PriceTable.builtIn.cost(model: "claude-haiku-4-5", inputTokens: 1_000_000, outputTokens: 200_000) == 2)
        #expect(PriceTable.builtIn.cost(model: "unknown", inputTokens: 5, outputTokens: 5) == nil)
        #expect(PriceTable.builtIn.cost(model: "claude-haiku-4-5", tokens: TokenCount(input: 1_000_000), batch: true) == 0.5)
    }

    @Test func cacheWritesAndReadsArePricedAsMultiplesOfInputUnlessTheTableSaysOtherwise() throws {
        let table = PriceTable.builtIn
        // Haiku 4.5, $1 input: 5-minute write 1.25, 1-hour write 2, read 0.1.
        let haiku = try #require(
            table.cost(
                model: "claude-haiku-4-5", tokens: TokenCount(cacheCreation: 3_000_000, cacheCreation1h: 1_000_000, cacheRead: 1_000_000)))
        #expect(abs(haiku - (2 * 1.25 + 1 * 2 + 1 * 0.1)) < 1e-9)
        // Fable 5.1 reads at $0.25, not 0.1 × 10.
        let fable = try #require(table.cost(model: "claude-fable-5-1", tokens: TokenCount(cacheRead: 1_000_000)))
        #expect(abs(fable - 0.25) < 1e-9)
    }

    @Test func haikuFiveFiveCostsMoreAboveAHundredThousandPromptTokens() throws {
        let table = PriceTable.builtIn
        let short = try #require(table.cost(model: "claude-haiku-5-5", tokens: TokenCount(input: 100_000, output: 1_000_000)))
        #expect(abs(short - (0.1 * 0.1 + 0.5)) < 1e-9)
        let long = try #require(
            table.cost(model: "claude-haiku-5-5", tokens: TokenCount(input: 60_000, output: 1_000_000, cacheRead: 50_000)))
        #expect(abs(long - (0.06 * 0.5 + 2.5 + 0.05 * 0.05)) < 1e-9)
    }

    @Test func aFlatFileOverridesAndExtendsTheTable() throws {
        let path = NSTemporaryDirectory() + "prices-\(UUID().uuidString).json"
        try #"{"claude-haiku-4-5":{"input":2,"output":10},"my-model":{"input":1,"output":1}}"#.write(
            toFile: path, atomically: true, encoding: .utf8)
        let table = try PriceTable.loading(overrides: path)
        #expect(table.price(for: "claude-haiku-4-5") == .init(input: 2, output: 10))
        #expect(table.price(for: "my-model") == .init(input: 1, output: 1))
        #expect(table.price(for: "claude-sonnet-4-5") == .init(input: 3, output: 15))
    }

    @Test func aDatedDocumentOverridesTheDateMultipliersAndPrices() throws {
        let table = try PriceTable.builtIn.laying(
            Data(#"{"as_of":"2027-01-01","cache_read_multiplier":0.2,"models":{"my-model":{"input":10,"output":1}}}"#.utf8))
        #expect(table.asOf == "2027-01-01")
        #expect(table.cost(model: "my-model", tokens: TokenCount(cacheRead: 1_000_000)) == 2)
        #expect(table.price(for: "claude-haiku-4-5")?.input == 1)
    }
}
