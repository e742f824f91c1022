import Foundation
import Logging
import Synchronization
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

        /// What the job wrote on stderr (messages, one per call) and to its terminal (progress).
        let messages = Lines()
        let terminal = Lines()

        init(
            records: Int, poisonAt: Int? = nil, invalidAt: Int? = nil, poisonFailure: RequestFailure = ScriptedTransport.badRequest(),
            secondsPerSend: Double = 0
        ) throws {
            directory = NSTemporaryDirectory() + "promptline-jr-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            customIDs = (0..<records).map { "r\($0)" }
            let lines = customIDs.enumerated().map { index, id in
                index == invalidAt
                    ? #"{"id":"\#(id)","prompt":42}"#
                    : #"{"id":"\#(id)","prompt":"question \#(index)\#(index == poisonAt ? " POISON" : "")"}"#
            }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/in.jsonl"))
            let time = self.time
            transport = ScriptedTransport(time: time, poisonFailure: poisonFailure, onSend: { _, _ in time.advance(secondsPerSend) })
            options = JobOptions(
                inputs: [directory + "/in.jsonl"], output: directory + "/out.jsonl",
                defaults: RecordDefaults(model: JobRunnerTests.model, maxTokens: 32))
            options.concurrency = 4
            options.progress = .none
            options.quiet = true
        }

        /// Runs the job once on the store at `store.sqlite` of the job's directory, through `client`
        /// (the scripted transport unless given).
        func run(client: (any MessagesTransport)? = nil, interrupts: AsyncStream<Int32>? = nil) async throws -> JobSummary {
            let store = try Store(path: directory + "/store.sqlite")
            var runner = JobRunner(
                options: options, store: store, client: client ?? transport,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), clock: ManualClock(time: time),
                stderr: messages.sink)
            runner.terminal = terminal.sink
            return try await runner.run(interrupts: interrupts)
        }

        /// The store as the job left it.
        func store() throws -> Store { try Store(path: directory + "/store.sqlite") }

        /// The partial output's lines (a stopped job's).
        func partialLines() throws -> [Substring] {
            try String(contentsOfFile: options.output + ".partial", encoding: .utf8).split(separator: "\n")
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
        #expect(summary.exitCode == .success)
        #expect(summary.outputComplete)
        #expect(summary.requestsSent == 40)
        #expect(summary.tiers == [.primary: 40])
        let lines = try job.outputLines()
        #expect(lines.map { $0["custom_id"] as? String } == job.customIDs)
        #expect(job.transport.sent.count == 40)
        // The summary's store figures: a claim and an answer per record, in at most one transaction each.
        #expect(summary.storeWrites == 80)
        #expect((1...80).contains(summary.storeTransactions ?? 0))
    }

    @Test func aRerunOfAFinishedJobSendsNothing() async throws {
        let job = try Job(records: 10)
        _ = try await job.run()
        let first = try job.outputLines().count
        let again = try await job.run()
        #expect(again.exitCode == .success)
        #expect(again.requestsSent == 0)
        #expect(again.reusedFromStore == 10)
        #expect(job.transport.sent.count == 10)
        #expect(try job.outputLines().count == first)
    }

    @Test func aRecordTheAPIRefusesEndsErroredAndTheJobExitsOne() async throws {
        let job = try Job(records: 12, poisonAt: 5)
        let summary = try await job.run()
        #expect(summary.exitCode == .someRecordsFailed)
        #expect(summary.outputComplete)
        #expect(summary.records == [.succeeded: 11, .errored: 1])
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
        job.options.maxOutage = .seconds(1_000_000)
        job.options.recordTimeout = .seconds(1_000_000)
        // Sixty overloads in a row: breaker trips, throttled and waiting records, then the model recovers.
        job.transport.script(Self.model, Array(repeating: .failure(ScriptedTransport.overloaded()), count: 60))
        let summary = try await job.run()
        #expect(summary.exitCode == .success)
        #expect(summary.records == [.succeeded: 30])
        #expect(summary.breakerTrips >= 1)
        #expect(try job.outputLines().map { $0["custom_id"] as? String } == job.customIDs)
        // The job's policies ran on the manual clock: minutes of breaks passed in it, not on the wall.
        #expect(job.time.now() > 10)
    }

    @Test func aRejectedKeyStopsTheJobWithSeventySevenAndSendsNothingNewAfterIt() async throws {
        let job = try Job(records: 200)
        job.transport.otherwise(Self.model, .failure(ScriptedTransport.unauthorized()))
        let summary = try await job.run()
        #expect(summary.exitCode == .notPermitted)
        #expect(!summary.outputComplete)
        #expect(summary.stopped?.contains("authentication failed") == true)
        #expect(!FileManager.default.fileExists(atPath: job.options.output))
        // Only requests already in flight when the first 401 came back were sent (the window allows 4).
        #expect(job.transport.sent.count <= job.options.concurrency)
        // Nothing was burnt: once the key is fixed, the same job resumes and every record succeeds.
        job.transport.otherwise(Self.model, .success)
        let resumed = try await job.run()
        #expect(resumed.exitCode == .success)
        #expect(resumed.records == [.succeeded: 200])
        #expect(try job.outputLines().map { $0["custom_id"] as? String } == job.customIDs)
    }

    // MARK: The one stop path: a job stop, a signal and unusable input end alike

    /// What a stopped job must have left: its checkpoint matching the partial output (every
    /// answered line written), no lease held, the final path absent.
    static func expectStoppedCleanly(_ job: Job) async throws {
        #expect(!FileManager.default.fileExists(atPath: job.options.output))
        let store = try job.store()
        let checkpoint = try #require(try await store.checkpoint(output: job.options.output))
        #expect(!checkpoint.finished)
        #expect(checkpoint.recordsWritten == (try job.partialLines().count))
        let partialSize = try FileManager.default.attributesOfItem(atPath: job.options.output + ".partial")[.size] as? Int
        #expect(checkpoint.outputOffset == partialSize)
        let status = try await store.status()
        #expect(status.keysByState["inflight"] == nil, "leases not released: \(status.keysByState)")
    }

    /// Resumes a stopped job with a healthy API: it completes, in order, and sends only what the
    /// first run left unanswered.
    static func expectResumeCompletes(_ job: Job, records: Int) async throws {
        let answered = try await job.store().status().keysByState["succeeded"] ?? 0
        let sentBefore = job.transport.sent.count
        let resumed = try await job.run()
        #expect(resumed.exitCode == .success)
        #expect(resumed.records == [.succeeded: records])
        #expect(job.transport.sent.count - sentBefore == records - answered)
        #expect(try job.outputLines().map { $0["custom_id"] as? String } == job.customIDs)
    }

    @Test(.timeLimit(.minutes(1)), arguments: [SIGINT, SIGTERM])
    func aSignalStopsDispatchCancelsRequestsAfterTheGraceAndExitsOneHundredThirtyOrFortyThree(signal: Int32) async throws {
        var job = try Job(records: 60)
        job.options.quiet = false
        let (interrupts, sendSignal) = AsyncStream<Int32>.makeStream()
        // The tenth request and every later one hang until cancelled; the tenth brings the signal.
        let stalling = StallingTransport(job.transport, from: 10) { sendSignal.yield(signal) }
        let summary = try await job.run(client: stalling, interrupts: interrupts)
        #expect(summary.exitCode == .stopped(by: signal))
        #expect(!summary.outputComplete)
        #expect(summary.stopped == "interrupted by \(signal == SIGTERM ? "SIGTERM" : "SIGINT"); run the same command again to resume")
        #expect(job.messages.lines.filter { $0.hasPrefix("promptline: interrupted; finishing") }.count == 1)
        #expect(stalling.cancelled >= 1, "no request was in flight at the signal")
        try await Self.expectStoppedCleanly(job)
        try await Self.expectResumeCompletes(job, records: 60)
    }

    @Test(.timeLimit(.minutes(1))) func aJobStopWithRequestsInFlightExitsSeventyFiveAndKeepsEverythingForAResume() async throws {
        var job = try Job(records: 60)
        job.options.quiet = false
        // The tenth request is refused for billing (402); the ones sent after it hang until cancelled.
        let stalling = StallingTransport(job.transport, from: 10, answering: ScriptedTransport.billing())
        let summary = try await job.run(client: stalling)
        #expect(summary.exitCode == .stoppedEarly)
        #expect(!summary.outputComplete)
        #expect(summary.stopped?.contains("billing") == true)
        #expect(job.messages.lines.filter { $0.hasPrefix("promptline: stopping: ") }.count == 1)
        try await Self.expectStoppedCleanly(job)
        try await Self.expectResumeCompletes(job, records: 60)
    }

    @Test func anInvalidLineUnderStrictEndsTheJobWithSixtyFiveAndKeepsTheRecordsBeforeIt() async throws {
        var job = try Job(records: 40, invalidAt: 20)
        job.options.strict = true
        let summary = try await job.run()
        #expect(summary.exitCode == .unusableInput)
        #expect(!summary.outputComplete)
        #expect(summary.stopped?.contains("in.jsonl:21:") == true)
        #expect(job.messages.lines.contains { $0.hasPrefix("promptline: ") && $0.contains("in.jsonl:21:") })
        #expect(summary.records == [.succeeded: 20])
        try await Self.expectStoppedCleanly(job)
        #expect(try job.partialLines().count == 20)
    }

    // MARK: Progress

    @Test func aLiveJobRedrawsItsLineOnTheTerminalAndErasesItAtTheEnd() async throws {
        // Each request takes a second on the job's clock.
        var job = try Job(records: 30, secondsPerSend: 1)
        job.options.progress = .live
        job.options.quiet = false
        let summary = try await job.run()
        #expect(summary.exitCode == .success)
        let writes = job.terminal.lines
        let erase = "\r\u{1B}[2K"
        #expect(writes.filter { $0.hasPrefix(erase + "promptline: ") && $0.contains("records written") }.count >= 2)
        #expect(writes.last == erase)
        #expect(!writes.contains { $0.contains("\n") })
        #expect(!job.messages.lines.contains { $0.contains("records written") })
    }

    @Test func aPlainJobPrintsALineOfItsOwnEveryFewSecondsOfItsClock() async throws {
        var job = try Job(records: 30, secondsPerSend: 1)
        job.options.progress = .plain(every: .seconds(5))
        job.options.quiet = false
        let summary = try await job.run()
        #expect(summary.exitCode == .success)
        let writes = job.terminal.lines
        #expect(writes.count >= 2)
        #expect(writes.allSatisfy { $0.hasPrefix("promptline: ") && $0.contains("records written") && $0.hasSuffix("\n") })
        #expect(!writes.contains { $0.contains("\u{1B}") })
    }

    @Test func aQuietJobWritesNothingOnTheTerminal() async throws {
        var job = try Job(records: 30, secondsPerSend: 1)
        job.options.progress = .plain(every: .milliseconds(500))
        job.options.quiet = true
        let summary = try await job.run()
        #expect(summary.exitCode == .success)
        #expect(job.terminal.lines.isEmpty)
        #expect(job.messages.lines.isEmpty)
    }
}

/// Lines a job wrote, in order.
final class Lines: Sendable {
    private let state = Mutex<[String]>([])
    var sink: @Sendable (String) -> Void { { line in self.state.withLock { $0.append(line) } } }
    var lines: [String] { state.withLock { $0 } }
}

/// A transport over a ``ScriptedTransport`` whose send number `from` (counting from 1) and every later
/// one are in flight when the job stops: `from` calls `atStop` and answers `answering` if given (a job-wide
/// stop), else hangs with the later ones until cancelled (then reports a closed connection).
final class StallingTransport: MessagesTransport {
    private let scripted: ScriptedTransport
    private let from: Int
    private let answering: RequestFailure?
    private let atStop: @Sendable () -> Void
    private let counts = Mutex((sends: 0, cancelled: 0))

    init(_ scripted: ScriptedTransport, from: Int, answering: RequestFailure? = nil, atStop: @escaping @Sendable () -> Void = {}) {
        self.scripted = scripted
        self.from = from
        self.answering = answering
        self.atStop = atStop
    }

    /// Requests that hung until the job cancelled them.
    var cancelled: Int { counts.withLock { $0.cancelled } }

    func send(body: [UInt8], timeout: Duration) async -> Result<MessagesClient.Success, RequestFailure> {
        let count = counts.withLock { counts in
            counts.sends += 1
            return counts.sends
        }
        if count < from { return await scripted.send(body: body, timeout: timeout) }
        if count == from {
            atStop()
            if let answering { return .failure(answering) }
        }
        // Hangs until the job cancels it (after the grace period), as a request the API never answers.
        let never = AsyncStream<Never> { _ in }
        for await _ in never {}
        counts.withLock { $0.cancelled += 1 }
        return .failure(ScriptedTransport.connectionRefused())
    }

    func listModels(timeout: Duration) async -> Result<(ids: [String], headers: [(String, String)]), RequestFailure> {
        await scripted.listModels(timeout: timeout)
    }

    func retrieveModel(_ model: String, timeout: Duration) async -> Result<String, RequestFailure> {
        await scripted.retrieveModel(model, timeout: timeout)
    }
}
