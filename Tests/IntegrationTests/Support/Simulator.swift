import AsyncHTTPClient
import Foundation
@testable import PromptlineSim
import Synchronization

/// A `promptline-sim` process on a free loopback port, stopped when the test ends.
final class Simulator: @unchecked Sendable {
    let child: ChildProcess
    let url: String
    let apiKey = "sim-test-key"
    /// The flags it was started with, its fault-draw seed (the simulator's default is 0) and its
    /// scenario text at start: what a failure report prints to replay the run.
    let flags: [String]
    let seed: UInt64
    let scenario: String?
    private let scenarioSetLast = Mutex<String?>(nil)

    /// Starts the simulator with extra flags and waits for the line that names its port.
    convenience init(_ flags: [String] = []) async throws {
        try await self.init(flags: flags, scenario: nil)
    }

    /// Starts the simulator with a scenario (JSON text) and extra flags.
    convenience init(scenario: String, _ flags: [String] = []) async throws {
        let path = NSTemporaryDirectory() + "promptline-scenario-" + UUID().uuidString + ".json"
        try scenario.write(toFile: path, atomically: true, encoding: .utf8)
        FailureReport.current?.register(temporary: path)
        try await self.init(flags: ["--scenario", path] + flags, scenario: scenario)
    }

    private init(flags: [String], scenario: String?) async throws {
        self.flags = flags
        self.seed = flags.firstIndex(of: "--seed").flatMap { flags.indices.contains($0 + 1) ? UInt64(flags[$0 + 1]) : nil } ?? 0
        self.scenario = scenario
        let child = try ChildProcess(Binaries.sim, ["--port", "0", "--api-key", "sim-test-key"] + flags)
        self.child = child
        // However long a loaded machine takes to start it; a simulator that exits ends the wait.
        var found: String?
        try await waitUntil("promptline-sim printing its port") {
            if let range = child.stdout.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                found = String(child.stdout[range])
            }
            return found != nil || !child.process.isRunning
        }
        guard let found else {
            child.kill9()
            throw SimulatorError(message: "promptline-sim did not start: \(child.stderr)")
        }
        url = found
        FailureReport.current?.register(self)
    }

    deinit {
        child.process.terminate()
    }

    /// Waits until the simulator has received at least `count` message requests (its counters):
    /// the moment a test acts on a job part-way.
    func waitForRequests(atLeast count: Int) async throws {
        try await waitUntil("the simulator receiving \(count) requests") { try await stats().requests >= count }
    }

    /// The environment a promptline process needs to talk to this simulator.
    var environment: [String: String] {
        ["ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": apiKey]
    }

    /// The scenario last set with `setScenario`, if any.
    var lastScenario: String? { scenarioSetLast.withLock { $0 } }

    /// Replaces the scenario at runtime (`PUT /_sim/scenario`).
    func setScenario(_ json: String) async throws {
        var request = HTTPClientRequest(url: url + "/_sim/scenario")
        request.method = .PUT
        request.body = .bytes(Array(json.utf8))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        guard response.status == .ok else { throw SimulatorError(message: "scenario refused: \(response.status)") }
        scenarioSetLast.withLock { $0 = json }
    }

    /// The simulator's counters.
    func stats() async throws -> SimStatsSnapshot {
        try JSONDecoder().decode(SimStatsSnapshot.self, from: try await rawStats())
    }

    /// `GET /_sim/batches`: the simulated Message Batches API's counters.
    func batchStats() async throws -> SimBatchStats {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + "/_sim/batches"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 << 20)
        return try JSONDecoder().decode(SimBatchStats.self, from: Data(body.readableBytesView))
    }

    /// Waits until the batch counters satisfy `condition`.
    func waitForBatches(_ condition: (SimBatchStats) -> Bool) async throws {
        try await waitUntil("the simulator's batch counters reaching the awaited state") { condition(try await batchStats()) }
    }

    /// `GET /_sim/stats`, as sent.
    func rawStats() async throws -> Data {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + "/_sim/stats"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Data(body.readableBytesView)
    }
}

struct SimulatorError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The part of `GET /_sim/stats` the tests read.
struct SimStatsSnapshot: Decodable {
    var requests: Int
    var by_status: [String: Int]
    var by_fingerprint: [String: Int]
    var by_model: [String: [String: Int]]
}
