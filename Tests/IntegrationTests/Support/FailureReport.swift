import Foundation
@testable import PromptlineSim
import Synchronization
import Testing

/// What one failed run of an integration test needs to be diagnosed without a second run.
///
/// Every simulator and child process a test starts registers here (through a task local, so the
/// tests themselves do nothing). When the test records a failing issue or throws, the report is
/// printed to stderr after the test body: each simulator's seed, flags and `/_sim/stats` (and
/// `/_sim/batches`) counters, each child's command, exit and stderr tail, and the test's own
/// random seed if it drew one. It also keeps the simulators running until it has read them.
/// The temporary files and folders the test made are removed when it passes (a run of the suite
/// left about 120 MB) and kept, named in the report, when it fails.
final class FailureReport: Sendable {
    @TaskLocal static var current: FailureReport?

    private struct State {
        var failed = false
        var simulators: [Simulator] = []
        var children: [ChildProcess] = []
        var notes: [String] = []
        var temporaries: [String] = []
    }
    private let state = Mutex(State())

    func markFailed() { state.withLock { $0.failed = true } }
    var failed: Bool { state.withLock { $0.failed } }

    func register(_ simulator: Simulator) { state.withLock { $0.simulators.append(simulator) } }
    func register(_ child: ChildProcess) { state.withLock { $0.children.append(child) } }
    /// A temporary file or folder the test made: removed if the test passes.
    func register(temporary path: String) { state.withLock { $0.temporaries.append(path) } }
    /// A line to print with the report, e.g. the seed a test drew its random choices from.
    func note(_ line: String) { state.withLock { $0.notes.append(line) } }

    /// Kills (by pid) the children the test left running, so that a test failing part-way leaves
    /// no process loading the machine for the tests after it. A simulator is left to its own
    /// `deinit`, which stops it gracefully once the report lets go of it.
    func killLeftoverChildren() {
        let (simulators, children) = state.withLock { ($0.simulators, $0.children) }
        for child in children where child.process.isRunning && !simulators.contains(where: { $0.child === child }) {
            child.kill9()
        }
    }

    /// Removes the temporary files and folders (once the test has passed and its children ended).
    func removeTemporaries() {
        for path in state.withLock({ $0.temporaries }) { try? FileManager.default.removeItem(atPath: path) }
    }

    /// The report's text: the simulators' counters are read over HTTP, so this runs in a task of
    /// its own (a test cancelled at its time limit still gets its report).
    func render(title: String) async -> String {
        let (simulators, children, notes) = state.withLock { ($0.simulators, $0.children, $0.notes) }
        var text = "──── failure report: \(title) ────\n"
        for note in notes { text += note + "\n" }
        for simulator in simulators { text += await simulator.diagnosis() }
        for child in children { text += child.diagnosis() }
        let folders = state.withLock { $0.temporaries }.filter { $0.hasPrefix(Fixtures.directoryPrefix) }
        if !folders.isEmpty { text += "kept: \(folders.joined(separator: " "))\n" }
        return text + "──── end of failure report: \(title) ────\n"
    }
}

/// The trait that prints a `FailureReport` for each failing test of a suite.
struct FailureReportTrait: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let report = FailureReport()
        // Sees every issue the test records (expectations, `Issue.record`, a child's deadline), and
        // passes it on unchanged.
        let observer = IssueHandlingTrait.compactMapIssues { issue in
            if issue.isFailure { report.markFailed() }
            return issue
        }
        // The test's full id (module, suite, name, place); the children's commands tell which of a
        // parameterized test's cases it was.
        let title = String(describing: test.id)
        do {
            try await FailureReport.$current.withValue(report) {
                try await observer.provideScope(for: test, testCase: testCase, performing: function)
            }
        } catch {
            report.markFailed()
            await Self.print(report, title: title)
            report.killLeftoverChildren()
            throw error
        }
        if report.failed { await Self.print(report, title: title) }
        report.killLeftoverChildren()
        if !report.failed { report.removeTemporaries() }
    }

    private static func print(_ report: FailureReport, title: String) async {
        let text = await Task { await report.render(title: title) }.value
        FileHandle.standardError.write(Data(text.utf8))
    }
}

extension Trait where Self == FailureReportTrait {
    /// On a failure, print what the test's simulators counted and what its child processes said.
    static var reportsFailures: Self { Self() }
}

extension Simulator {
    /// Its seed, flags and counters, summarised (a fingerprint map of thousands of keys becomes a
    /// histogram of how many times each was sent).
    func diagnosis() async -> String {
        let flagText = flags.isEmpty ? "none" : flags.joined(separator: " ")
        var text = "promptline-sim \(url) (pid \(child.process.processIdentifier)), seed \(seed), flags: \(flagText)\n"
        if let scenario { text += "  scenario at start: \(scenario)\n" }
        if let last = lastScenario { text += "  scenario set last: \(last)\n" }
        do {
            let data = try await rawStats()
            let stats = try JSONDecoder().decode(SimStatsSnapshot.self, from: data)
            let sentTimes = Dictionary(grouping: stats.by_fingerprint.values, by: { $0 }).mapValues(\.count)
            text += "  requests \(stats.requests); by status \(Self.compact(stats.by_status)); by model \(Self.compact(stats.by_model))\n"
            text += "  fingerprints \(stats.by_fingerprint.count); keys by times sent \(Self.compact(sentTimes))\n"
            if let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let perSecond = object["accepted_per_second"] as? [String: Int], !perSecond.isEmpty
            {
                let seconds = perSecond.keys.compactMap { Int($0) }.sorted()
                text +=
                    "  accepted per second from \(seconds[0]): \(seconds.map { String(perSecond["\($0)"] ?? 0) }.joined(separator: " "))\n"
            }
            let batches = try await batchStats()
            if batches != SimBatchStats() {
                text +=
                    "  batches: creates \(batches.creates), created \(batches.created), held \(batches.held), polls \(batches.polls), "
                    + "lists \(batches.lists), cancels \(batches.cancels), results \(batches.resultsDownloads), requests by batch \(Self.compact(batches.requestsByBatch))\n"
            }
        } catch {
            text += "  counters unavailable: \(error)\n"
        }
        return text
    }

    private static func compact(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
    }
}

extension ChildProcess {
    /// Its command, how it ended (or that it still runs) and the tail of its stderr.
    func diagnosis() -> String {
        let command = ([process.executableURL?.lastPathComponent ?? "?"] + (process.arguments ?? [])).joined(separator: " ")
        let end =
            process.isRunning
            ? "still running"
            : "ended (\(process.terminationReason == .exit ? "exit" : "signal") \(process.terminationStatus))"
        let tail = stderr.split(separator: "\n", omittingEmptySubsequences: false).suffix(25).joined(separator: "\n    ")
        return "child pid \(process.processIdentifier) \(end): \(command)\n" + (tail.isEmpty ? "" : "  stderr tail:\n    \(tail)\n")
    }
}
