import AsyncHTTPClient
import Foundation

/// A `promptline-sim` process on a free loopback port, stopped when the test ends.
final class Simulator: @unchecked Sendable {
    let child: ChildProcess
    let url: String
    let apiKey = "sim-test-key"

    /// Starts the simulator with extra flags and waits for the line that names its port.
    init(_ flags: [String] = []) async throws {
        child = try ChildProcess(Binaries.sim, ["--port", "0", "--api-key", "sim-test-key"] + flags)
        var found: String?
        for _ in 0..<500 {
            if let range = child.stdout.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                found = String(child.stdout[range])
                break
            }
            guard child.process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard let found else {
            child.kill9()
            throw SimulatorError(message: "promptline-sim did not start: \(child.stderr)")
        }
        url = found
    }

    deinit {
        child.process.terminate()
    }

    /// Waits until the simulator has received at least `count` message requests (its counters,
    /// checked every 20 ms; throws after `seconds`): the moment a test acts on a job part-way.
    func waitForRequests(atLeast count: Int, within seconds: Double = 30) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while try await stats().requests < count {
            guard ContinuousClock.now < deadline else {
                throw SimulatorError(message: "the simulator did not receive \(count) requests within \(seconds) s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The environment a promptline process needs to talk to this simulator.
    var environment: [String: String] {
        ["ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": apiKey]
    }

    /// Starts the simulator with a scenario (JSON text) and extra flags.
    convenience init(scenario: String, _ flags: [String] = []) async throws {
        let path = NSTemporaryDirectory() + "promptline-scenario-" + UUID().uuidString + ".json"
        try scenario.write(toFile: path, atomically: true, encoding: .utf8)
        try await self.init(["--scenario", path] + flags)
    }

    /// Replaces the scenario at runtime (`PUT /_sim/scenario`).
    func setScenario(_ json: String) async throws {
        var request = HTTPClientRequest(url: url + "/_sim/scenario")
        request.method = .PUT
        request.body = .bytes(Array(json.utf8))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        guard response.status == .ok else { throw SimulatorError(message: "scenario refused: \(response.status)") }
    }

    /// The simulator's counters.
    func stats() async throws -> SimStatsSnapshot {
        try JSONDecoder().decode(SimStatsSnapshot.self, from: try await rawStats())
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

