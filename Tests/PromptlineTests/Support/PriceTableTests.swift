import Foundation
import Testing

@testable import Promptline

@Suite struct PriceTableTests {
    @Test func datedModelIdsFindTheirFamilyByTheLongestPrefix() {
        #expect(PriceTable.builtIn.price(for: "claude-sonnet-4-5-20250929") == .init(input: 3, output: 15))
        #expect(PriceTable.builtIn.price(for: "claude-opus-4-1-20250805") == .init(input: 15, output: 75))
        #expect(PriceTable.builtIn.price(for: "claude-opus-4-5") == .init(input: 5, output: 25))
        #expect(PriceTable.builtIn.price(for: "gpt-4") == nil)
    }

    @Test func costIsPerMillionTokens() {
        #expect(PriceTable.builtIn.cost(model: "claude-haiku-4-5", inputTokens: 1_000_000, outputTokens: 200_000) == 2)
        #expect(PriceTable.builtIn.cost(model: "unknown", inputTokens: 5, outputTokens: 5) == 0)
    }

    @Test func aFileOverridesAndExtendsTheTable() throws {
        let path = NSTemporaryDirectory() + "prices-\(UUID().uuidString).json"
        try #"{"claude-haiku-4-5":{"input":2,"output":10},"my-model":{"input":1,"output":1}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let table = try PriceTable.loading(overrides: path)
        #expect(table.price(for: "claude-haiku-4-5") == .init(input: 2, output: 10))
        #expect(table.price(for: "my-model") == .init(input: 1, output: 1))
        #expect(table.price(for: "claude-sonnet-4-5") == .init(input: 3, output: 15))
    }
}
