import Foundation
import Testing

/// The test harness's own guard: a child that never ends fails its test instead of hanging the suite.
@Suite(.timeLimit(.minutes(1)), .reportsFailures) struct ChildProcessTests {
    @Test func aChildStillRunningAtItsDeadlineIsKilledAndFailsTheTest() async throws {
        let child = try ChildProcess("/bin/sleep", ["600"])
        var result: CommandResult?
        await withKnownIssue("the deadline records an issue naming the child") {
            result = await child.wait(timeout: .milliseconds(300))
        }
        #expect(!child.process.isRunning)
        #expect(child.process.terminationReason == .uncaughtSignal)
        #expect(result?.status == SIGKILL)
    }

    @Test func aChildThatEndsInTimeIsWaitedForWithoutAnIssue() async throws {
        let result = try await ChildProcess("/bin/sh", ["-c", "echo done; exit 3"]).wait(timeout: .seconds(60))
        #expect(result.status == 3)
        #expect(result.stdout == "done\n")
    }
}
