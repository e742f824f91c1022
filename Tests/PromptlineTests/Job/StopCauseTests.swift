import Foundation
import Testing

@testable import Promptline

/// Why a job stops: the exit statuses, the strongest cause winning, each kind announced once.
@Suite("StopCause")
struct StopCauseTests {
    @Test func eachCauseExitsWithItsStatus() {
        #expect(StopCause.signal(SIGINT).exitStatus == .interrupted)
        #expect(StopCause.signal(SIGTERM).exitStatus == .terminated)
        #expect(StopCause.job(JobStop(reason: .authentication("no"))).exitStatus == .notPermitted)
        #expect(StopCause.job(JobStop(reason: .outage(after: .seconds(600)))).exitStatus == .stoppedEarly)
        #expect(StopCause.job(JobStop(reason: .unpriced("m"))).exitStatus == .usage)
        #expect(StopCause.inputFault("in.jsonl.gz: gzip stream truncated at byte 9").exitStatus == .unusableInput)
        #expect(StopCause.signal(SIGTERM).description == "interrupted by SIGTERM; run the same command again to resume")
        #expect(
            StopCause.inputFault("in.jsonl.gz: gzip stream truncated at byte 9").description
                == "in.jsonl.gz: gzip stream truncated at byte 9")
    }

    @Test func aSignalOutranksAJobStopWhicheverComesFirstAndEachKindIsAnnouncedOnce() {
        var latch = StopCause.Latch()
        #expect(latch.cause == nil)
        let announced = [
            latch.note(.job(JobStop(reason: .spendLimit))), latch.note(.signal(SIGINT)), latch.note(.signal(SIGTERM)),
            latch.note(.job(JobStop(reason: .creditBalance))),
        ]
        #expect(announced == [true, true, false, false])
        #expect(latch.cause?.exitStatus == .interrupted)

        var other = StopCause.Latch()
        _ = other.note(.inputFault("bad"))
        _ = other.note(.job(JobStop(reason: .budget(1))))
        _ = other.note(.job(JobStop(reason: .creditBalance)))
        // The first job stop stays: a later one of the same kind does not replace it.
        #expect(other.cause?.description == JobStop(reason: .budget(1)).description)
    }

    @Test func inputFaultsAreNotAnnouncedWhenTheyArriveButSignalsAndStopsAre() {
        #expect(StopCause.inputFault("bad").announcement(.requests(3), gracePeriod: .seconds(10)) == nil)
        #expect(
            StopCause.signal(SIGINT).announcement(.requests(3), gracePeriod: .seconds(10))
                == "promptline: interrupted; finishing 3 requests in flight (up to 10 s), then stopping")
        #expect(
            StopCause.job(JobStop(reason: .spendLimit)).announcement(.requests(3), gracePeriod: .seconds(10))?
                .hasPrefix("promptline: stopping: the organisation's monthly spend limit") == true)
    }

    @Test func aStopDuringTheBatchesSaysTheCreatedBatchesKeepRunning() {
        #expect(
            StopCause.signal(SIGTERM).announcement(.batches, gracePeriod: .seconds(10))
                == "promptline: interrupted; batches already created keep running (they are paid work); a resume collects them")
        #expect(
            StopCause.job(JobStop(reason: .outage(after: .seconds(60)))).announcement(.batches, gracePeriod: .seconds(10))?
                .hasSuffix("; batches already created keep running and a resume collects them") == true)
    }
}
