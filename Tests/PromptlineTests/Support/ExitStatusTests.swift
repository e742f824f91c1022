import Foundation
import Testing

@testable import Promptline

@Suite("ExitStatus")
struct ExitStatusTests {
    @Test func theStatusesAreSPECSectionSevensCodesWithSixtySixAndSeventyFour() {
        #expect(ExitStatus.allCases.map(\.rawValue) == [0, 1, 64, 65, 66, 70, 74, 75, 77, 130, 143])
    }

    @Test func aSignalStopExitsWithOneHundredTwentyEightPlusTheSignal() {
        #expect(ExitStatus.stopped(by: SIGINT).rawValue == 128 + SIGINT)
        #expect(ExitStatus.stopped(by: SIGTERM).rawValue == 128 + SIGTERM)
    }

    @Test func onlyStopsThatAResumeFinishesAreResumable() {
        #expect(ExitStatus.allCases.filter(\.isResumable) == [.stoppedEarly, .interrupted, .terminated])
    }

    @Test func jobStopsMapToTheirStatus() {
        #expect(JobStopReason.authentication("x").exitStatus == .notPermitted)
        #expect(JobStopReason.permission("x").exitStatus == .notPermitted)
        #expect(JobStopReason.unpriced("m").exitStatus == .usage)
        #expect(JobStopReason.outage(after: .seconds(1)).exitStatus == .stoppedEarly)
        #expect(JobStopReason.billing("x").exitCode == 75)
    }

    @Test func errorsMapToStatusesByTypeAndAnUnclassifiedOneIsAnInternalError() {
        struct Unexpected: Error {}
        #expect(ExitStatus(for: StoreError(code: .corrupt, path: "s.db", message: "x")) == .cannotWrite)
        #expect(ExitStatus(for: JobStop(reason: .outage(after: .seconds(1)))) == .stoppedEarly)
        #expect(ExitStatus(for: Unexpected()) == .internalError)
        #expect(!ExitStatus.internalError.isResumable)
        #expect(StopCause.fault(Unexpected()).exitStatus == .internalError)
    }

    @Test func theTiersAreSpelledAsTheOutputSpellsThem() {
        #expect(ServedTier.allCases.map(\.rawValue) == ["primary", "fallback", "stale", "static", "none"])
    }
}
