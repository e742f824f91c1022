import Testing

@testable import Promptline

@Suite struct FastRandomTests {
    @Test func drawsAreInTheUnitIntervalAndSpreadEvenly() {
        let random = FastRandom(seed: 42)
        var buckets = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 {
            let draw = random.next()
            #expect(draw >= 0 && draw < 1)
            buckets[Int(draw * 10)] += 1
        }
        // Each tenth of the interval gets its tenth of the draws, within 5 %.
        for count in buckets { #expect(abs(count - 10_000) < 500) }
    }

    @Test func theSameSeedGivesTheSameDraws() {
        let first = FastRandom(seed: 7)
        let second = FastRandom(seed: 7)
        #expect((0..<5).map { _ in first.next() } == (0..<5).map { _ in second.next() })
    }
}
