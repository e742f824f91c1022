import Synchronization
import Testing

@testable import Promptline

/// The progress lines' timing and drawing, on a fake terminal with the times given by hand.
@Suite("ProgressReporter")
struct ProgressReporterTests {
    /// A terminal that keeps everything written to it, in order.
    final class FakeTerminal: Sendable {
        private let writes = Mutex<[String]>([])
        var sink: @Sendable (String) -> Void { { text in self.writes.withLock { $0.append(text) } } }
        var written: [String] { writes.withLock { $0 } }
    }

    /// Offers a line at each of `times` (seconds), as the dispatch loop does after each flush, then ends.
    static func drive(_ reporter: inout ProgressReporter, at times: [Double]) {
        for time in times where reporter.isDue(at: .at(time)) { reporter.show("line at \(time)", at: .at(time)) }
        reporter.finish()
    }

    @Test func liveModeRedrawsOneLineInPlaceEveryHalfSecondAndErasesItAtTheEnd() {
        let terminal = FakeTerminal()
        var reporter = ProgressReporter(mode: .live, quiet: false, start: .at(10), terminal: terminal.sink)
        Self.drive(&reporter, at: [10.2, 10.4, 10.6, 10.7, 11.0, 11.2])
        let erase = "\r\u{1B}[2K"
        #expect(terminal.written == [erase + "line at 10.6", erase + "line at 11.2", erase])
        #expect(!terminal.written.contains { $0.contains("\n") })
    }

    @Test func plainModePrintsALineOfItsOwnEveryIntervalWithoutTerminalCodes() {
        let terminal = FakeTerminal()
        var reporter = ProgressReporter(mode: .plain(every: .seconds(5)), quiet: false, start: .start, terminal: terminal.sink)
        Self.drive(&reporter, at: [1, 4.9, 5.1, 7, 10, 10.2, 16])
        #expect(terminal.written == ["line at 5.1\n", "line at 10.2\n", "line at 16.0\n"])
    }

    @Test func quietAndNonePrintNothingEvenAtTheEnd() {
        for (mode, quiet) in [(ProgressMode.live, true), (.plain(every: .seconds(1)), true), (.none, false)] {
            let terminal = FakeTerminal()
            var reporter = ProgressReporter(mode: mode, quiet: quiet, start: .start, terminal: terminal.sink)
            #expect(reporter.interval == nil)
            Self.drive(&reporter, at: [1, 2, 3, 60, 3600])
            #expect(terminal.written.isEmpty)
        }
    }

    @Test func aLiveJobThatNeverDrewItsLineErasesNothing() {
        let terminal = FakeTerminal()
        var reporter = ProgressReporter(mode: .live, quiet: false, start: .start, terminal: terminal.sink)
        Self.drive(&reporter, at: [0.1, 0.2])
        #expect(terminal.written.isEmpty)
    }
}
