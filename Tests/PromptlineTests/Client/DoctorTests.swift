import Testing

@testable import Promptline

/// `doctor` and the preflight on a scripted transport: each verdict and its exit status.
@Suite("Doctor")
struct DoctorTests {
    let configuration = APIConfiguration(baseURL: "http://127.0.0.1:1", apiKey: "sk-test")

    func report(_ transport: ScriptedTransport, models: [String] = [], configuration: APIConfiguration? = nil) async -> Doctor.Report {
        await Doctor(configuration: configuration ?? self.configuration, client: transport).check(models: models, timeout: .seconds(1))
    }

    @Test func aListedOrResolvedModelPassesAndTheRateLimitHeadersAreShown() async {
        let transport = ScriptedTransport(time: TestTime())
        transport.models(.success(["claude-haiku-4-5-20251001"]), resolving: ["claude-haiku-4-5": "claude-haiku-4-5-20251001"])
        let report = await report(transport, models: ["claude-haiku-4-5-20251001", "claude-haiku-4-5"])
        #expect(report.exitCode == .success)
        #expect(report.checks.allSatisfy { $0.ok })
        #expect(report.checks.last?.detail == "resolves to claude-haiku-4-5-20251001")
        #expect(report.rateLimitHeaders == ["anthropic-ratelimit-requests-limit": "50"])
        #expect(!report.text.contains("sk-test"))
        #expect(transport.listings == 1)
    }

    @Test func aModelNeitherListedNorResolvedFailsWithOne() async {
        let transport = ScriptedTransport(time: TestTime())
        transport.models(.success(["claude-haiku-4-5-20251001"]))
        let report = await report(transport, models: ["claude-gone"])
        #expect(report.exitCode == .someRecordsFailed)
        #expect(report.text.contains("verdict: a run cannot start (exit 1)"))
    }

    @Test func aRefusedKeyFailsWithSeventySeven() async {
        let transport = ScriptedTransport(time: TestTime())
        transport.models(.failure(ScriptedTransport.unauthorized()))
        #expect(await report(transport).exitCode == .notPermitted)
    }

    @Test func anUnreachableAPIFailsWithSeventyFive() async {
        let transport = ScriptedTransport(time: TestTime())
        transport.models(.failure(ScriptedTransport.connectionRefused()))
        #expect(await report(transport).exitCode == .stoppedEarly)
    }

    @Test func noKeyFailsWithSeventySevenWithoutAnyRequest() async {
        let transport = ScriptedTransport(time: TestTime())
        let report = await report(transport, configuration: APIConfiguration(baseURL: "http://127.0.0.1:1", apiKey: nil))
        #expect(report.exitCode == .notPermitted)
        #expect(transport.listings == 0)
    }
}
