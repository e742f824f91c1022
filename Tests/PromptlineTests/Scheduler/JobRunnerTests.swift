import Foundation
import Logging
import Testing

@testable import Promptline

/// JobRunner on a scripted transport and a manual clock, with real input and output files and a
/// real store in a temporary directory: the whole job, its rerun and its stops, without a network.
@Suite("JobRunner")
struct JobRunnerTests {
    static let model = "claude-test-primary"

    /// A job's files, transport and options.
    struct Job {
        let directory: String
        let time = TestTime()
        let transport: ScriptedTransport
        var options: JobOptions
        let customIDs: [String]

        init(records: Int, poisonAt: Int? = nil, poisonFailure: RequestFailure = ScriptedTransport.badRequest()) throws {
            directory = NSTemporaryDirectory() + "promptline-jr-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            customIDs = (0..<records).map { "r\($0)" }
            let lines = customIDs.enumerated().map { index, id in
                #"{"id":"\#(id)","prompt":"question \#(index)\#(index == poisonAt ? " POISON" : "")"}"#
            }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/in.jsonl"))
            transport = ScriptedTransport(time: time, poisonFailure: poisonFailure)
            options = JobOptions(
                inputs: [directory + "/in.jsonl"], output: directory + "/out.jsonl",
                defaults: RecordDefaults(model: JobRunnerTests.model, maxTokens: 32))
            options.concurrency = 4
            options.progress = .none
            options.quiet = true
        }

        /// Runs the job once on the store at `store.sqlite` of the job's directory.
        func run() async throws -> JobSummary {
            let store = try Store(path: directory + "/store.sqlite")
            let runner = JobRunner(
                options: options, store: store, client: transport,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), clock: ManualClock(time: time),
                stderr: { _ in })
            return try await runner.run()
        }

        /// The output's lines, as JSON objects.
        func outputLines() throws -> [[String: Any]] {
            let text = try String(contentsOfFile: options.output, encoding: .utf8)
            return try text.split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }
    }

    @Test func aJobWritesOneLinePerRecordInInputOrderAndExitsZero() async throws {
        let job = try Job(records: 40)
        let summary = try await job.run()
        #expect(summary.exitCode == ExitStatus.success.rawValue)
        #expect(summary.outputComplete)
        #expect(summary.requestsSent == 40)
        #expect(summary.tiers == ["primary": 40])
        let lines = try job.outputLines()
        #expect(lines.map { $0["custom_id"] as? String } == job.customIDs)
        #expect(job.transport.sent.count == 40)
    }

    @Test func aRerunOfAFinishedJobSendsNothing() async throws {
        let job = try Job(records: 10)
        _ = try await job.run()
        let first = try job.outputLines().count
        let again = try await job.run()
        #expect(again.exitCode == 0)
        #expect(again.requestsSent == 0)
        #expect(again.reusedFromStore == 10)
        #expect(job.transport.sent.count == 10)
        #expect(try job.outputLines().count == first)
    }

    @Test func aRecordTheAPIRefusesEndsErroredAndTheJobExitsOne() async throws {
        let job = try Job(records: 12, poisonAt: 5)
        let summary = try await job.run()
        #expect(summary.exitCode == ExitStatus.someRecordsFailed.rawValue)
        #expect(summary.outputComplete)
        #expect(summary.records == ["succeeded": 11, "errored": 1])
        let lines = try job.outputLines()
        #expect(lines.count == 12)
        #expect((lines[5]["result"] as? [String: Any])?["type"] as? String == "errored")
        #expect((lines[5]["served_by"] as? [String: Any])?["tier"] as? String == "none")
    }

    @Test func anOutageShorterThanMaxOutageIsWaitedOutAndEveryRecordSucceeds() async throws {
        var job = try Job(records: 30)
        // The manual clock moves on at every sleep of every record (their waits add up instead of
        // overlapping), so an outage of sixty failures spans thousands of its seconds: the limits are
        // far beyond it, so that what is proved is the waiting, not how the clock's time adds up.
        job.options.maxOutage = 1_000_000
        job.options.recordTimeout = 1_000_000
        // Sixty overloads in a row: breaker trips, throttled and waiting records, then the model recovers.
        job.transport.script(Self.model, Array(repeating: .failure(ScriptedTransport.overloaded()), count: 60))
        let summary = try await job.run()
        #expect(summary.exitCode == ExitStatus.success.rawValue)
        #expect(summary.records == ["succeeded": 30])
        #expect(summary.breakerTrips >= 1)
        #expect(try job.outputLines().map { $0["custom_id"] as? String } == job.customIDs)
        // The job's policies ran on the manual clock: minutes of breaks passed in it, not on the wall.
        #expect(job.time.now() > 10)
    }

    @Test func aRejectedKeyStopsTheJobWithSeventySevenAndSendsNothingNewAfterIt() async throws {
        let job = try Job(records: 200)
        job.transport.otherwise(Self.model, .failure(ScriptedTransport.unauthorized()))
        let summary = try await job.run()
        #expect(summary.exitCode == ExitStatus.notPermitted.rawValue)
        #expect(!summary.outputComplete)
        #expect(summary.stopped?.contains("authentication failed") == true)
        #expect(!FileManager.default.fileExists(atPath: job.options.output))
        // Only requests already in flight when the first 401 came back were sent (the window allows 4).
        #expect(job.transport.sent.count <= job.options.concurrency)
        // Nothing was burnt: once the key is fixed, the same job resumes and every record succeeds.
        job.transport.otherwise(Self.model, .success)
        let resumed = try await job.run()
        #expect(resumed.exitCode == ExitStatus.success.rawValue)
        #expect(resumed.records == ["succeeded": 200])
        #expect(try job.outputLines().map { $0["custom_id"] as? String } == job.customIDs)
    }
}
