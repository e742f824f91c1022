import Testing

@testable import Promptline

@Suite struct BatchPrimingTests {
    static let level = CachePrefix.Level(id: CachePrefix.ID(digest: [7]), anchor: .system, tokens: 6000, bytes: 24000)

    @Test func theSecondRecordOfAPrefixPrimesAndTheRestReadWhatItWrote() {
        var priming = BatchPriming()
        #expect(priming.place([Self.level], now: 0) == .plain)
        #expect(priming.place([Self.level], now: 0) == .primer(levels: [0]))
        #expect(priming.place([Self.level], now: 0) == .member(levels: [0]))
        #expect(priming.priming == [Self.level.id])
        priming.primed(now: 10)
        #expect(priming.priming.isEmpty)
        #expect(priming.place([Self.level], now: 20) == .member(levels: [0]))
    }

    @Test func aPrefixPrimedLongAgoIsPrimedAgainBeforeTheNextBatch() {
        var priming = BatchPriming()
        _ = priming.place([Self.level], now: 0)
        _ = priming.place([Self.level], now: 0)
        priming.primed(now: 0)
        #expect(priming.place([Self.level], now: BatchPriming.freshFor + 1) == .primer(levels: [0]))
    }
}
