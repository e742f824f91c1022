import Foundation
import Testing

@testable import Promptline

/// Operator experience (SPEC §1, §7, §8): progress, quiet, doctor, dry run, budget, shards, make.
@Suite(.serialized, .timeLimit(.minutes(3)), .reportsFailures) struct OperatorTests {
    let model = "claude-haiku-4-5"

    @Test func underAPseudoTerminalTheLiveLineIsDrawnAndRedrawn() async throws {
        let sim = try await Simulator(["--latency-ms", "50"])
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(300), to: dir + "/in.jsonl")
        // script(1) gives promptline a pseudo-terminal as its stderr.
        let command = [
            Binaries.promptline, "run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db",
            "--model", model, "--concurrency", "8",
        ].joined(separator: " ")
        let result = try await ChildProcess(
            "/usr/bin/script", ["-q", "-e", "-c", command, dir + "/typescript"], environment: sim.environment
        ).wait()
        #expect(result.status == 0)
        let screen = try String(contentsOfFile: dir + "/typescript", encoding: .utf8)
        let redraws = screen.components(separatedBy: "\r\u{1B}[2Kpromptline: ").count - 1
        #expect(redraws >= 2, "the live line was drawn \(redraws) times")
    }

    @Test func withoutATerminalPlainLinesAppearAndQuietPrintsNothingOnSuccess() async throws {
        let sim = try await Simulator(["--latency-ms", "50"])
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(200), to: dir + "/in.jsonl")
        let plain = try await promptline(
            [
                "run", dir + "/in.jsonl", "-o", dir + "/a.jsonl", "--db", dir + "/a.db", "--model", model, "--concurrency", "8",
                "--progress-interval", "0.2",
            ], environment: sim.environment)
        #expect(plain.status == 0)
        let lines = plain.stderr.split(separator: "\n").filter { $0.contains("records written") }
        #expect(lines.count >= 2)
        #expect(!plain.stderr.contains("\u{1B}["))

        let quiet = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/b.jsonl", "--db", dir + "/b.db", "--model", model, "--quiet"],
            environment: sim.environment)
        #expect(quiet.status == 0)
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        #expect(quiet.stdout.isEmpty)
    }

    @Test func doctorPassesWithAGoodKeyAndFailsClearlyWithAWrongOne() async throws {
        let sim = try await Simulator()
        let good = try await promptline(["doctor", "--model", model], environment: sim.environment)
        #expect(good.status == 0, "\(good.stdout)")
        #expect(good.stdout.contains("verdict: a run can start"))
        #expect(good.stdout.contains("anthropic-ratelimit-requests-limit"))

        let secret = "sk-wrong-\(UUID().uuidString)"
        let wrong = try await promptline(["doctor"], environment: ["ANTHROPIC_BASE_URL": sim.url, "ANTHROPIC_API_KEY": secret])
        #expect(wrong.status == 77)
        #expect(wrong.stdout.contains("FAIL authentication"))
        #expect(!(wrong.stdout + wrong.stderr).contains(secret))

        let unlisted = try await promptline(["doctor", "--model", "claude-nonexistent"], environment: sim.environment)
        #expect(unlisted.status == 1)
        #expect(unlisted.stdout.contains("not listed"))
    }

    @Test func aWrongKeyFailsThePreflightBeforeAnyInputIsRead() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(50), to: dir + "/in.jsonl")
        let result = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model],
            environment: ["ANTHROPIC_BASE_URL": sim.url, "ANTHROPIC_API_KEY": "wrong"])
        #expect(result.status == 77)
        #expect(result.stderr.contains("preflight failed"))
        #expect(try await sim.stats().requests == 0)
    }

    @Test func aDryRunSendsNothingAndCountsWhatTheRealRunSends() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        var records = Fixtures.records(120)
        records += Fixtures.records(30)  // in-input repeats under the same ids: invalid (repeated custom_id)
        records.append(#"{"id":"dup-of-r1","prompt":"Question 1: what is 1 × 7? ☕ café","temperature":0.5}"#)
        try Fixtures.write(records, to: dir + "/in.jsonl")
        // Half the keys answered already by an earlier job.
        try Fixtures.write(Fixtures.records(60), to: dir + "/half.jsonl")
        _ = try await promptline(
            ["run", dir + "/half.jsonl", "-o", dir + "/half.out", "--db", dir + "/s.db", "--model", model], environment: sim.environment)
        let before = try await sim.stats().requests

        let dry = try await promptline(
            [
                "run", "--dry-run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model, "--summary",
                dir + "/dry.json",
            ],
            environment: sim.environment)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(try await sim.stats().requests == before)
        let report = try JSONDecoder().decode(DryRun.Report.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/dry.json")))
        #expect(report.records == 151)
        #expect(report.invalid == 30)
        #expect(report.requestsToSend == 60)
        #expect(report.worstCaseCost > 0)

        let real = try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model], environment: sim.environment)
        #expect(real.status == 1)
        #expect(try await sim.stats().requests - before == report.requestsToSend)
    }

    @Test func aBudgetStopsWithSeventyFiveAndAHigherBudgetFinishes() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(400), to: dir + "/in.jsonl")
        // Each request's worst case is about 64 output tokens + ~30 input at $1/$5 per MTok: ~$0.00035.
        let arguments = ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model, "--concurrency", "4"]
        let stopped = try await promptline(arguments + ["--budget-usd", "0.02"], environment: sim.environment)
        #expect(stopped.status == 75)
        #expect(stopped.stderr.contains("--budget-usd"))
        let sent = try await sim.stats().requests
        #expect(sent > 0 && sent < 400)
        let finished = try await promptline(arguments + ["--budget-usd", "10"], environment: sim.environment)
        #expect(finished.status == 0)
        #expect(try Fixtures.lines(dir + "/out.jsonl").count == 400)
        #expect(try await sim.stats().by_fingerprint.values.allSatisfy { $0 == 1 })
    }

    @Test func twoShardsMergedByExportEqualASingleRun() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        var records = Fixtures.records(300)
        records.insert("not json", at: 10)
        try Fixtures.write(records, to: dir + "/in.jsonl.gz")
        var shardLines = 0
        for shard in 0..<2 {
            let result = try await promptline(
                [
                    "run", dir + "/in.jsonl.gz", "-o", dir + "/shard\(shard).jsonl.gz", "--db", dir + "/shard\(shard).db",
                    "--model", model, "--shard", "\(shard)/2",
                ], environment: sim.environment)
            #expect(result.status == (shard == 0 ? 1 : 0))
            shardLines += try Fixtures.lines(dir + "/shard\(shard).jsonl.gz").count
        }
        #expect(shardLines == 301)
        let merged = try await promptline(
            [
                "export", "--db", dir + "/shard0.db", "--db", dir + "/shard1.db", dir + "/in.jsonl.gz", "-o", dir + "/merged.jsonl.gz",
                "--model", model,
            ],
            environment: [:])
        #expect(merged.status == 1)

        let reference = try await Simulator()
        _ = try await promptline(
            ["run", dir + "/in.jsonl.gz", "-o", dir + "/single.jsonl.gz", "--db", dir + "/single.db", "--model", model],
            environment: reference.environment)
        #expect(try Fixtures.lines(dir + "/merged.jsonl.gz") == Fixtures.lines(dir + "/single.jsonl.gz"))
    }

    @Test func theSamplesMakefileBuildsThenIsANoOpAndResumesAfterAnInterruption() async throws {
        // Until the kill, every request hangs (until its client goes away): the job is surely part-way
        // when it is killed, however slow the machine. The scenario is cleared for the resume.
        let sim = try await Simulator(scenario: #"{"error_rates":{"hang":1}}"#)
        let root = URL(fileURLWithPath: Binaries.directory).path
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples").path
        let build = Fixtures.directory()
        let make = ["-C", samples, "PROMPTLINE=\(root)/promptline", "BUILD=\(build)"]
        var environment = sim.environment
        environment["MAKEFLAGS"] = ""

        // Interrupted: kill -9 the promptline that make started, part-way.
        let first = try ChildProcess("/usr/bin/make", make, environment: environment)
        try await sim.waitForRequests(atLeast: 3)
        // The promptline is make's child (make runs a recipe without shell syntax itself): found by
        // its parent's pid, so that nothing but this test's process is killed.
        let found = try await ChildProcess("/usr/bin/pgrep", ["-P", "\(first.process.processIdentifier)", "-x", "promptline"]).wait()
        let pids = found.stdout.split(separator: "\n").compactMap { pid_t($0) }
        #expect(pids.count == 1, "make's promptline children: \(found.stdout)")
        for pid in pids { kill(pid, SIGKILL) }
        let interrupted = await first.wait()
        #expect(interrupted.status != 0)
        #expect(!FileManager.default.fileExists(atPath: build + "/answers.jsonl.gz"))
        let sentBefore = try await sim.stats().requests
        try await sim.setScenario("{}")

        let completed = try await ChildProcess("/usr/bin/make", make, environment: environment).wait()
        #expect(completed.status == 0, "\(completed.stderr)")
        #expect(FileManager.default.fileExists(atPath: build + "/report.tsv"))
        let report = try String(contentsOfFile: build + "/report.tsv", encoding: .utf8)
        #expect(report.split(separator: "\n").count == 13)
        let stats = try await sim.stats()
        #expect(stats.by_fingerprint.count == 12)
        // Only what was in flight at the kill (at most --concurrency 16) was sent twice.
        #expect(stats.requests - 12 <= min(16, sentBefore))

        let again = try await ChildProcess("/usr/bin/make", make, environment: environment).wait()
        #expect(again.status == 0)
        #expect(again.stdout.contains("Nothing to be done") || again.stdout.contains("is up to date"))
        #expect(try await sim.stats().requests == stats.requests)
    }
}
