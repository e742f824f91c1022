import Testing

@testable import Promptline

@Suite struct SpendMeterTests {
    private let prices = PriceTable(prices: ["m": .init(input: 1, output: 5)])

    @Test func theWorstCaseIsTheEstimatedInputAndTheFullMaxTokens() {
        let meter = SpendMeter(budget: nil, prices: prices)
        #expect(meter.worstCase(model: "m", bodyBytes: 4_000_000, maxTokens: 200_000) == 2)
        #expect(meter.worstCase(model: "unpriced", bodyBytes: 4, maxTokens: 2) == nil)
    }

    @Test func aRequestThatMayWriteItsPrefixReservesTheWritePrice() {
        let meter = SpendMeter(budget: nil, prices: prices)
        // 1,000,000 tokens, 400,000 of them a prefix written for 5 minutes (1.25×), no output.
        #expect(
            abs((meter.worstCase(model: "m", bodyBytes: 4_000_000, maxTokens: 0, cacheWrite: (.fiveMinutes, 1_600_000)) ?? 0) - 1.1) < 1e-9)
        #expect(abs((meter.worstCase(model: "m", bodyBytes: 4_000_000, maxTokens: 0, cacheWrite: (.oneHour, 1_600_000)) ?? 0) - 1.4) < 1e-9)
    }

    @Test func whatCachingSavedIsTheCostWithEveryPromptTokenAsPlainInputLessTheCost() {
        let meter = SpendMeter(budget: nil, prices: prices)
        meter.settle(reserved: 0, model: "m", tokens: TokenCount(input: 100_000, cacheCreation: 1_000_000))  // $1.35 against $1.10
        meter.settle(reserved: 0, model: "m", tokens: TokenCount(input: 100_000, cacheRead: 1_000_000))  // $0.20 against $1.10
        #expect(abs(meter.savedByCache - (2.2 - 1.55)) < 1e-9)
    }

    @Test func reservationsStopBeforeTheBudgetWouldBePassed() {
        let meter = SpendMeter(budget: 1, prices: prices)
        let outcomes = [meter.reserve(0.4), meter.reserve(0.4), meter.reserve(0.4)]
        #expect(outcomes == [true, true, false])
        meter.release(0.4)
        #expect(meter.reserve(0.2))
    }

    @Test func settlingReplacesTheReservationWithTheReportedUsage() {
        let meter = SpendMeter(budget: 1, prices: prices)
        _ = meter.reserve(0.9)
        meter.settle(reserved: 0.9, model: "m", inputTokens: 100_000, outputTokens: 20_000)  // $0.2
        #expect(abs(meter.spent.total - 0.2) < 1e-9)
        #expect(meter.spent.byModel.keys.sorted() == ["m"])
        #expect(meter.reserve(0.7))
        #expect(!meter.reserve(0.2))
    }

    @Test func cacheTokensArePricedWhenSettled() {
        let meter = SpendMeter(budget: nil, prices: prices)
        meter.settle(reserved: 0, model: "m", tokens: TokenCount(cacheCreation: 1_000_000, cacheRead: 1_000_000))
        #expect(abs(meter.spent.total - 1.35) < 1e-9)
    }

    @Test func aModelWithoutAPriceIsNamedNotCountedAsFree() {
        let meter = SpendMeter(budget: nil, prices: prices)
        meter.settle(reserved: 0, model: "mystery", inputTokens: 1_000, outputTokens: 1_000)
        #expect(meter.spent.total == 0)
        #expect(meter.spent.byModel["mystery"] == nil)
        #expect(meter.unpriced == ["mystery"])
    }

    @Test func withoutABudgetEverythingIsAdmitted() {
        let meter = SpendMeter(budget: nil, prices: prices)
        #expect(meter.reserve(1e9))
    }
}
