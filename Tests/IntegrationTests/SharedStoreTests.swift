import Foundation
import Testing

/// SPEC §4.4: several processes share one store (make -j) without corrupting it or sending a key twice.
@Suite(.serialized, .timeLimit(.minutes(3)), .reportsFailures) struct SharedStoreTests {
    let model = "claude-haiku-4-5"

    @Test func twoProcessesOnOneStoreSendEachKeyOnce() async throws {
        let sim = try await Simulator(["--latency-ms", "20"])
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(1500), to: dir + "/in.jsonl")
        let jobs = try ["a", "b"].map { name in
            try ChildProcess(
                Binaries.promptline,
                [
                    "run", dir + "/in.jsonl", "-o", dir + "/\(name).jsonl", "--db", dir + "/shared.db", "--model", model,
                    "--concurrency", "16", "--progress", "none",
                ],
                environment: sim.environment)
        }
        for job in jobs {
            let result = await job.wait()
            #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        }
        let stats = try await sim.stats()
        #expect(stats.by_fingerprint.count == 1500)
        #expect(stats.by_fingerprint.values.allSatisfy { $0 == 1 }, "a key was sent by both processes")
        #expect(try Fixtures.lines(dir + "/a.jsonl") == Fixtures.lines(dir + "/b.jsonl"))
        let status = try await promptline(["status", "--db", dir + "/shared.db"], environment: [:])
        #expect(status.stdout.contains("keys: succeeded 1500"))
    }

    /// `make -j` starts its targets at the same instant: every process starting together on a new
    /// store must open it (WAL switch, migration, first write) without "database is locked".
    @Test(.timeLimit(.minutes(3))) func processesStartingTogetherOnANewStoreAllOpenIt() async throws {
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(30), to: dir + "/in.jsonl")
        for round in 0..<8 {
            let store = dir + "/new-\(round)/state.db"
            let jobs = try (0..<5).map { index in
                try ChildProcess(
                    Binaries.promptline,
                    [
                        "run", dir + "/in.jsonl", "-o", dir + "/out-\(round)-\(index).jsonl", "--db", store, "--model", model,
                        "--dry-run",
                    ])
            }
            for job in jobs {
                let result = await job.wait()
                #expect(result.status == 0, "round \(round): \(result.stderr.suffix(600))")
            }
        }
    }

    @Test(.timeLimit(.minutes(3))) func processesStartingTogetherOnANewStoreSendEachKeyOnce() async throws {
        let sim = try await Simulator(["--latency-ms", "5"])
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(300), to: dir + "/in.jsonl")
        for round in 0..<3 {
            let store = dir + "/new-\(round).db"
            let jobs = try (0..<3).map { index in
                try ChildProcess(
                    Binaries.promptline,
                    [
                        "run", dir + "/in.jsonl", "-o", dir + "/out-\(round)-\(index).jsonl", "--db", store, "--model", model,
                        "--progress", "none", "--no-preflight",
                    ],
                    environment: sim.environment)
            }
            for job in jobs {
                let result = await job.wait()
                #expect(result.status == 0, "round \(round): \(result.stderr.suffix(600))")
            }
        }
        let stats = try await sim.stats()
        #expect(stats.by_fingerprint.count == 300)
        // Three stores, each answering the 300 keys once: every key reached the simulator exactly 3 times.
        #expect(stats.by_fingerprint.values.allSatisfy { $0 == 3 }, "a key was sent twice from one store")
    }

    @Test func malformedBodiesAndResetConnectionsAreRetriedAndNothingIsLost() async throws {
        let sim = try await Simulator(scenario: #"{"error_rates":{"malformed":0.05,"reset":0.05,"500":0.05}}"#, ["--seed", "11"])
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(400), to: dir + "/in.jsonl")
        let result = try await promptline(
            // 15 % of attempts fail: with 6 retries a record fails for good with odds of 0.15^7.
            [
                "run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--model", model, "--progress", "none",
                "--max-retries", "6",
            ],
            environment: sim.environment)
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        let lines = try Fixtures.lines(dir + "/out.jsonl").map(Fixtures.json)
        #expect(lines.count == 400)
        let errors = lines.flatMap { (($0["served_by"] as? [String: Any])?["errors"] as? [String]) ?? [] }
        #expect(errors.contains("malformed_response"))
        #expect(errors.contains("connection_error"))
        #expect(errors.contains("api_error"))
    }
}
