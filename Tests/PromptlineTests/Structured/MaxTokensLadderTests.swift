import Testing

@testable import Promptline

@Suite struct MaxTokensLadderTests {
    @Test func aWholeAnswerEndsTheLadderAtOnce() {
        var ladder = MaxTokensLadder(start: 1024, cap: 16_384)
        #expect(ladder.next(cut: false) == .done)
        #expect(ladder.steps == [1024])
    }

    @Test func aCutAnswerDoublesMaxTokensUntilTheCapThenStaysCut() {
        var ladder = MaxTokensLadder(start: 1024, cap: 3000)
        #expect(ladder.next(cut: true) == .raise(to: 2048))
        #expect(ladder.next(cut: true) == .raise(to: 3000))
        #expect(ladder.next(cut: true) == .capped)
        #expect(ladder.steps == [1024, 2048, 3000])
    }

    @Test func aRecordAlreadyAtOrOverTheCapIsNotRaised() {
        var atCap = MaxTokensLadder(start: 4096, cap: 4096)
        #expect(atCap.next(cut: true) == .capped)
        var over = MaxTokensLadder(start: 8192, cap: 4096)
        #expect(over.next(cut: true) == .capped)
        #expect(over.steps == [8192])
    }

    @Test func aWholeAnswerAfterARaiseEndsTheLadder() {
        var ladder = MaxTokensLadder(start: 8, cap: 16_384)
        #expect(ladder.next(cut: true) == .raise(to: 16))
        #expect(ladder.next(cut: false) == .done)
        #expect(ladder.steps == [8, 16])
    }

    @Test func droppingAStepWithoutAnAnswerKeepsTheFirst() {
        var ladder = MaxTokensLadder(start: 8, cap: 64)
        _ = ladder.next(cut: true)
        ladder.dropLast()
        #expect(ladder.steps == [8])
        ladder.dropLast()
        #expect(ladder.steps == [8])
    }
}
