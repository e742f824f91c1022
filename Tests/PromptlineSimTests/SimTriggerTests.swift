import Testing

@testable import PromptlineSim

@Suite("Sim content triggers")
struct SimTriggerTests {
    @Test func aDelayTriggerAddsLatencyBesideAFaultTrigger() {
        let text = "[[sim:delay_ms=1500]] ask [[sim:spend_cap]]"
        #expect(SimState.trigger(in: text) == .spendCap)
        #expect(SimState.triggerDelay(in: text) == 1500)
        #expect(SimState.triggerDelay(in: "[[sim:529]]") == 0)
        #expect(SimState.trigger(in: "[[sim:delay_ms=5]]") == nil)
    }

    @Test func theBodyFaultsAreHostileOutcomesAndTheNewErrorsHaveTheirStatus() {
        for fault in [SimFault.endless, .notJSON, .wrongShape, .huge, .textPlain, .closeAfterHeaders, .trickle] {
            #expect(SimState.outcome(for: fault) == .hostile(fault))
        }
        #expect(SimAPIError.forFault(.longRetryAfter)?.retryAfter == 3600)
        #expect(SimAPIError.forFault(.unauthorized)?.status == 401)
        #expect(SimAPIError.forFault(.forbidden)?.status == 403)
    }

    @Test(
        arguments: [
            ("é 😀 [[sim:529]] after", SimFault?.some(.overloaded)),
            ("[[sim:bogus]][[sim:529]]", .some(.overloaded)),
            ("[[sim:529", nil),
            ("[sim:529]] [[sim:]]", nil),
            ("", nil),
        ] as [(String, SimFault?)])
    func triggersAreFoundWhereverTheyStandInTheText(text: String, fault: SimFault?) {
        #expect(SimState.trigger(in: text) == fault)
    }
}
