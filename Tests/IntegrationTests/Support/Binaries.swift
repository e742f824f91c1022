import Foundation
import Testing

/// Where the built executables are: `$PROMPTLINE_BIN_DIR` (set by `make test`), else `.build/debug`.
enum Binaries {
    static let directory: String = {
        if let dir = ProcessInfo.processInfo.environment["PROMPTLINE_BIN_DIR"], !dir.isEmpty { return dir }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug").path
    }()

    static var promptline: String { directory + "/promptline" }
    static var sim: String { directory + "/promptline-sim" }
}

/// A finished process: exit status and what it printed.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// A child process with its output captured to files (no pipe can fill and block it).
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let stdoutPath: String
    let stderrPath: String
    /// Finishes when the process has ended (from its termination handler: no polling).
    private let ended: AsyncStream<Void>

    /// `input`, when given, is the child's standard input (the test writes to it; else /dev/null).
    init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil, input: Pipe? = nil
    ) throws {
        let base = NSTemporaryDirectory() + "promptline-child-" + UUID().uuidString
        stdoutPath = base + ".out"
        stderrPath = base + ".err"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // The child sees what the test gives it, not the settings of whoever runs the tests: a key,
        // base URL, store or proxy in the caller's environment would change what the test proves
        // (a `http_proxy` without 127.0.0.1 in `no_proxy` would fail every test against the simulator).
        var env = ProcessInfo.processInfo.environment.filter { name, _ in
            let name = name.uppercased()
            return !name.hasPrefix("ANTHROPIC_") && !name.hasPrefix("PROMPTLINE_")
                && !["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"].contains(name)
        }
        for (name, value) in environment { env[name] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = input ?? FileHandle.nullDevice
        let (ended, continuation) = AsyncStream<Void>.makeStream()
        self.ended = ended
        process.terminationHandler = { _ in continuation.finish() }
        try process.run()
        FailureReport.current?.register(self)
        FailureReport.current?.register(temporary: stdoutPath)
        FailureReport.current?.register(temporary: stderrPath)
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits for the process to end without blocking a cooperative thread for long. A child still
    /// running after `timeout` is killed (SIGKILL) and the test fails there with its stderr, so a
    /// hung child fails one test instead of hanging the suite.
    func wait(timeout: Duration = .seconds(120), sourceLocation: SourceLocation = #_sourceLocation) async -> CommandResult {
        let ended = self.ended
        let endedInTime = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in ended {}
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: timeout)  // the deadline, not a synchronisation
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !endedInTime && process.isRunning {
            kill9()
            process.waitUntilExit()
            let name =
                (process.executableURL?.lastPathComponent ?? "child") + " " + (process.arguments ?? []).prefix(3).joined(separator: " ")
            // A cancelled wait is the test's time limit (or a failure beside it), not this deadline.
            let why = Task.isCancelled ? "was still running when the test was cancelled" : "did not end within \(timeout)"
            Issue.record("\(name) \(why); killed it. Its stderr:\n\(stderr.suffix(4000))", sourceLocation: sourceLocation)
        }
        process.waitUntilExit()  // already ended: makes terminationStatus readable
        return CommandResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// `kill -9`.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
    }
}

/// Runs `promptline` with the arguments and environment, to its end (killed, and the test failed,
/// after `timeout`).
func promptline(
    _ arguments: [String], environment: [String: String], directory: String? = nil, timeout: Duration = .seconds(120),
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> CommandResult {
    try await ChildProcess(Binaries.promptline, arguments, environment: environment, directory: directory)
        .wait(timeout: timeout, sourceLocation: sourceLocation)
}
