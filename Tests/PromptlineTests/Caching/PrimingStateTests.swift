import Testing

@testable import Promptline

@Suite struct PrimingStateTests {
    static let instructions = CachePrefix.ID(digest: [1])
    static let conversation = CachePrefix.ID(digest: [2])
    static let key = PrimingState.Key(model: "claude-sonnet-4-5", prefix: instructions)
    static let deepKey = PrimingState.Key(model: "claude-sonnet-4-5", prefix: conversation)

    func machine() -> PrimingState { PrimingState(lifetime: .fiveMinutes, primeWait: .seconds(15)) }

    @Test func aPrefixSeenOnceIsSentAsWritten() {
        var state = machine()
        state.note([Self.instructions])
        #expect(state.admit([Self.key], now: .start) == .plain)
    }

    @Test func theFirstRequestOfARecurringPrefixPrimesAndTheOthersWaitForItsAnswer() {
        var state = machine()
        state.note([Self.instructions])
        state.note([Self.instructions])
        state.note([Self.instructions])
        #expect(state.admit([Self.key], now: .start) == .prime(levels: [0]))
        #expect(state.admit([Self.key], now: .at(1)) == .wait(key: Self.key, generation: 0, until: .at(15)))
        #expect(state.answered([Self.key], written: 6000, read: 0, now: .at(2)) == [Self.key])
        #expect(state.generation(of: Self.key) == 1)
        // The write is warm, but no read has been seen yet: the input-token charge stays whole.
        #expect(state.admit([Self.key], now: .at(2)) == .read(levels: [0], expectRead: false))
        _ = state.answered([Self.key], written: 0, read: 6000, now: .at(3))
        #expect(state.admit([Self.key], now: .at(3)) == .read(levels: [0], expectRead: true))
    }

    @Test func aSlowPrimerStallsNobodyPastThePrimeWait() {
        var state = machine()
        state.note([Self.instructions, Self.instructions])
        #expect(state.admit([Self.key], now: .start) == .prime(levels: [0]))
        #expect(state.admit([Self.key], now: .at(15)) == .read(levels: [0], expectRead: false))
    }

    @Test func aPrimerThatGetsNoAnswerPassesTheRoleOn() {
        var state = machine()
        state.note([Self.instructions, Self.instructions])
        #expect(state.admit([Self.key], now: .start) == .prime(levels: [0]))
        #expect(state.abandoned([Self.key], primed: true) == [Self.key])
        #expect(state.admit([Self.key], now: .at(1)) == .prime(levels: [0]))
        // A reader that gets no answer changes nothing for the others.
        #expect(state.abandoned([Self.key], primed: false).isEmpty)
    }

    @Test func anEntryUnusedForItsLifetimeIsPrimedAgain() {
        var state = machine()
        state.note([Self.instructions, Self.instructions])
        _ = state.admit([Self.key], now: .start)
        _ = state.answered([Self.key], written: 5000, read: 0, now: .at(1))
        #expect(state.admit([Self.key], now: .at(200)) == .read(levels: [0], expectRead: false))
        _ = state.answered([Self.key], written: 0, read: 5000, now: .at(200))
        // A read refreshes the lifetime: 4 minutes later it is still warm.
        #expect(state.admit([Self.key], now: .at(440)) == .read(levels: [0], expectRead: true))
        // Unused for five minutes (less the margin): primed again.
        #expect(state.admit([Self.key], now: .at(200 + 271)) == .prime(levels: [0]))
    }

    @Test func aPrefixTheAPIDoesNotCacheIsSentAsWrittenFromThenOn() {
        var state = machine()
        state.note([Self.instructions, Self.instructions])
        _ = state.admit([Self.key], now: .start)
        _ = state.answered([Self.key], written: 0, read: 0, now: .at(1))
        #expect(state.admit([Self.key], now: .at(1)) == .plain)
    }

    @Test func theDeepestRecurringLevelPrimesAndBothLevelsAreMarked() {
        var state = machine()
        state.note([Self.instructions, Self.conversation])
        state.note([Self.instructions, Self.conversation])
        #expect(state.admit([Self.key, Self.deepKey], now: .start) == .prime(levels: [0, 1]))
        #expect(state.admit([Self.key, Self.deepKey], now: .at(1)) == .wait(key: Self.deepKey, generation: 0, until: .at(15)))
    }

    @Test func onlyTheLevelThatRecursIsMarked() {
        var state = machine()
        let other = CachePrefix.ID(digest: [3])
        state.note([Self.instructions, Self.conversation])
        state.note([Self.instructions, other])
        let keys = [Self.key, PrimingState.Key(model: Self.key.model, prefix: other)]
        #expect(state.admit(keys, now: .start) == .prime(levels: [0]))
    }

    @Test func aRecordOnAFallbackModelPrimesThatModelsCacheApart() {
        var state = machine()
        state.note([Self.instructions, Self.instructions])
        #expect(state.admit([Self.key], now: .start) == .prime(levels: [0]))
        let fallback = PrimingState.Key(model: "claude-opus-4-1", prefix: Self.instructions)
        #expect(state.admit([fallback], now: .start) == .prime(levels: [0]))
    }
}
