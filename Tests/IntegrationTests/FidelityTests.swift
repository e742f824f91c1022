import Foundation
import Testing

@testable import Promptline

/// Fidelity to the real API (issue 9): the user's own columns, billing stops, model ids, cache
/// tokens, stop reasons, prices and network settings, with the real binaries against the simulator.
@Suite(.serialized, .timeLimit(.minutes(5)), .reportsFailures) struct FidelityTests {
    let model = "claude-haiku-4-5"

    private func run(_ sim: Simulator, _ dir: String, _ extra: [String], environment: [String: String]? = nil) async throws -> CommandResult
    {
        try await promptline(
            ["run", dir + "/in.jsonl", "-o", dir + "/out.jsonl", "--db", dir + "/s.db", "--progress", "none"] + extra,
            environment: environment ?? sim.environment)
    }

    private func lines(_ path: String) throws -> [[String: Any]] { try Fixtures.lines(path).map(Fixtures.json) }
    private func type(_ line: [String: Any]) -> String? { (line["result"] as? [String: Any])?["type"] as? String }
    private func servedBy(_ line: [String: Any]) -> [String: Any] { line["served_by"] as? [String: Any] ?? [:] }
    private func occurrences(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func userColumnsAreNotSentAndComeBackAsMetadataInRunAndExport() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        let input = (0..<600).map { #"{"id":"r\#($0)","prompt":"Question \#($0)?","category":"b","row":\#($0)}"# }
        try Fixtures.write(input, to: dir + "/in.jsonl")
        let result = try await run(sim, dir, ["--model", model, "--concurrency", "16"])
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        let output = try lines(dir + "/out.jsonl")
        #expect(output.count == 600)
        #expect(output.allSatisfy { type($0) == "succeeded" })
        for (index, line) in output.enumerated() {
            let metadata = line["metadata"] as? [String: Any]
            #expect(metadata?["category"] as? String == "b" && metadata?["row"] as? Int == index, "line \(index)")
        }
        // served_by.model is the model asked for; the message names the dated id, and the summary both.
        #expect(servedBy(output[0])["model"] as? String == model)
        #expect(((output[0]["result"] as? [String: Any])?["message"] as? [String: Any])?["model"] as? String == "claude-haiku-4-5-20251001")
        #expect(result.stderr.contains("claude-haiku-4-5 answered as claude-haiku-4-5-20251001"))
        let stats = try await sim.stats()
        #expect(stats.by_status["400"] == nil)

        let exported = try await promptline(
            ["export", "--db", dir + "/s.db", dir + "/in.jsonl", "-o", dir + "/export.jsonl", "--model", model], environment: [:])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: dir + "/export.jsonl")) == Data(contentsOf: URL(fileURLWithPath: dir + "/out.jsonl")))
    }

    @Test func aBillingErrorStopsWithSeventyFiveAndTheSameCommandCompletesOnceBillingIsFixed() async throws {
        let sim = try await Simulator(scenario: #"{"fail_after":{"successes":100,"kind":"billing"}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(300), to: dir + "/in.jsonl")
        let stopped = try await run(sim, dir, ["--model", model, "--concurrency", "4"])
        #expect(stopped.status == 75, "\(stopped.stderr.suffix(1500))")
        #expect(stopped.stderr.contains("402"))
        #expect(stopped.stderr.contains("Settings > Billing"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.jsonl"))
        let afterStop = try await sim.stats()
        #expect((afterStop.by_status["402"] ?? 0) <= 8, "records were burnt against the billing error")
        let status = try await promptline(["status", "--db", dir + "/s.db", "--json"], environment: [:])
        #expect(!status.stdout.contains(#""errored""#), "\(status.stdout)")

        try await sim.setScenario("{}")  // billing fixed
        let resumed = try await run(sim, dir, ["--model", model, "--concurrency", "4"])
        #expect(resumed.status == 0, "\(resumed.stderr.suffix(1500))")
        let output = try lines(dir + "/out.jsonl")
        #expect(output.count == 300)
        #expect(output.allSatisfy { type($0) == "succeeded" })
    }

    @Test func aUsageLimit400StopsWithSeventyFive() async throws {
        let sim = try await Simulator(scenario: #"{"fail_after":{"successes":20,"kind":"usage_limit"}}"#)
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(100), to: dir + "/in.jsonl")
        let stopped = try await run(sim, dir, ["--model", model, "--concurrency", "4"])
        #expect(stopped.status == 75, "\(stopped.stderr.suffix(1500))")
        #expect(stopped.stderr.contains("usage limit"))
        #expect(stopped.stderr.contains("Settings > Limits"))
    }

    @Test func doctorResolvesAnAliasAndFollowsPagination() async throws {
        let sim = try await Simulator(scenario: #"{"models_page_size":1}"#)
        let alias = try await promptline(["doctor", "--model", model], environment: sim.environment)
        #expect(alias.status == 0, "\(alias.stdout)")
        #expect(alias.stdout.contains("resolves to claude-haiku-4-5-20251001"))
        // The last dated id is on the fourth page of one id each.
        let last = try await promptline(["doctor", "--model", "claude-3-5-haiku-20241022"], environment: sim.environment)
        #expect(last.status == 0, "\(last.stdout)")
        #expect(last.stdout.contains("model claude-3-5-haiku-20241022: listed"))
        let unknown = try await promptline(["doctor", "--model", "claude-retired-1"], environment: sim.environment)
        #expect(unknown.status == 1)
    }

    @Test func aMissingModelSendsRecordsToTheFallbackAndIsReportedOnce() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(120), to: dir + "/in.jsonl")
        let result = try await run(sim, dir, ["--model", "claude-retired-1", "--fallback-model", model, "--concurrency", "4"])
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        let output = try lines(dir + "/out.jsonl")
        #expect(output.count == 120)
        #expect(output.allSatisfy { type($0) == "succeeded" && servedBy($0)["tier"] as? String == "fallback" })
        #expect(occurrences("model claude-retired-1 not found", in: result.stderr) == 1, "\(result.stderr)")
        let stats = try await sim.stats()
        #expect((stats.by_model["claude-retired-1"]?["404"] ?? 0) <= 8, "the missing model was asked for every record")
    }

    @Test func aMissingModelWithoutFallbackErrorsEveryRecordWithOneMessage() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(60), to: dir + "/in.jsonl")
        let result = try await run(sim, dir, ["--model", "claude-retired-1", "--concurrency", "4"])
        #expect(result.status == 1, "\(result.stderr.suffix(1500))")
        let output = try lines(dir + "/out.jsonl")
        #expect(output.count == 60)
        for line in output {
            let error = ((line["result"] as? [String: Any])?["error"] as? [String: Any])?["error"] as? [String: Any]
            #expect(type(line) == "errored")
            #expect(error?["type"] as? String == "not_found_error")
            #expect((error?["message"] as? String)?.contains("claude-retired-1") == true)
        }
        #expect(occurrences("model claude-retired-1 not found", in: result.stderr) == 1, "\(result.stderr)")
    }

    @Test func cacheTokensAreStoredSummedAndPriced() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        // About 4,800 tokens: over Haiku 4.5's minimum cacheable prefix of 4,096 (a shorter one is not cached).
        let instruction = String(repeating: "You answer arithmetic questions in one short sentence, always. ", count: 300)
        let system = #"[{"type":"text","text":"\#(instruction)","cache_control":{"type":"ephemeral"}}]"#
        let input = (0..<40).map { #"{"system":\#(system),"messages":[{"role":"user","content":"What is \#($0) + 1?"}]}"# }
        try Fixtures.write(input, to: dir + "/in.jsonl")
        let summaryPath = dir + "/summary.json"
        let result = try await run(sim, dir, ["--model", model, "--concurrency", "1", "--summary", summaryPath])
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        let summary = try JSONDecoder().decode(JobSummary.self, from: Data(contentsOf: URL(fileURLWithPath: summaryPath)))
        let created = try #require(summary.cacheCreationInputTokens)
        let read = try #require(summary.cacheReadInputTokens)
        #expect(created > 0 && read > created, "one write, then reads")
        let tokens = try #require(summary.tokensByModel[model])
        #expect(tokens.cacheCreation == created && tokens.cacheRead == read)
        let expected = try #require(PriceTable.builtIn.cost(model: model, tokens: tokens))
        #expect(abs(summary.costUSD - expected) < 1e-9)
        #expect(summary.costUSD > PriceTable.builtIn.cost(model: model, inputTokens: tokens.input, outputTokens: tokens.output)!)
        let status = try await promptline(["status", "--db", dir + "/s.db"], environment: [:])
        #expect(status.stdout.contains("cache writes \(created), cache reads \(read)"), "\(status.stdout)")
    }

    @Test func answersCutAtMaxTokensAreCountedAndWarnedAboutOnce() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write(
            (0..<30).map { #"{"id":"r\#($0)","prompt":"Tell me about the number \#($0) at length"}"# }, to: dir + "/in.jsonl")
        let result = try await run(sim, dir, ["--model", model, "--max-tokens", "4", "--summary", dir + "/summary.json"])
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        #expect(occurrences("30 records stopped at max_tokens; raise --max-tokens", in: result.stderr) == 1, "\(result.stderr)")
        #expect(result.stderr.contains("stop reasons: max_tokens 30"))
        let status = try await promptline(["status", "--db", dir + "/s.db"], environment: [:])
        #expect(status.stdout.contains("stop reasons: max_tokens 30"), "\(status.stdout)")
    }

    @Test func aBudgetRefusesToStartForAModelWithoutAPriceUnlessPricesNamesIt() async throws {
        let sim = try await Simulator(["--model", "claude-mystery-1"])
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(10), to: dir + "/in.jsonl")
        let refused = try await run(sim, dir, ["--model", "claude-mystery-1", "--budget-usd", "1"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("claude-mystery-1 has no price"))
        #expect(try await sim.stats().requests == 0)

        let prices = dir + "/prices.json"
        try #"{"claude-mystery-1":{"input":1,"output":2}}"#.write(toFile: prices, atomically: true, encoding: .utf8)
        let priced = try await run(sim, dir, ["--model", "claude-mystery-1", "--budget-usd", "1", "--prices", prices])
        #expect(priced.status == 0, "\(priced.stderr.suffix(1500))")

        // A record naming an unpriced model stops a budgeted job before it is sent.
        let named = Fixtures.directory()
        try Fixtures.write([#"{"id":"m1","prompt":"hi","model":"claude-mystery-1"}"#], to: named + "/in.jsonl")
        let before = try await sim.stats().requests
        let stopped = try await run(sim, named, ["--model", model, "--budget-usd", "1"])
        #expect(stopped.status == 64, "\(stopped.stderr.suffix(1500))")
        #expect(stopped.stderr.contains("model claude-mystery-1 has no price"))
        #expect(try await sim.stats().requests == before)

        // Without a budget the run goes on, and the cost is unknown, not $0.
        let other = Fixtures.directory()
        try Fixtures.write(Fixtures.records(5, salt: "u"), to: other + "/in.jsonl")
        let unknown = try await run(sim, other, ["--model", "claude-mystery-1"])
        #expect(unknown.status == 0, "\(unknown.stderr.suffix(1500))")
        #expect(unknown.stderr.contains("cost unknown for claude-mystery-1"))
    }

    @Test func anAuthTokenWorksInsteadOfTheKey() async throws {
        let sim = try await Simulator()
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(5), to: dir + "/in.jsonl")
        let result = try await run(
            sim, dir, ["--model", model],
            environment: ["ANTHROPIC_BASE_URL": sim.url, "ANTHROPIC_AUTH_TOKEN": sim.apiKey, "ANTHROPIC_API_KEY": ""])
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        #expect(!(result.stderr).contains(sim.apiKey))
    }

    @Test func requestsGoThroughTheProxyTheEnvironmentNames() async throws {
        let sim = try await Simulator()
        let proxy = try ConnectProxy()
        let dir = Fixtures.directory()
        try Fixtures.write(Fixtures.records(30), to: dir + "/in.jsonl")
        let result = try await run(
            sim, dir, ["--model", model],
            environment: sim.environment.merging(["HTTP_PROXY": "http://127.0.0.1:\(proxy.port)", "NO_PROXY": ""]) { $1 })
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        #expect(try lines(dir + "/out.jsonl").count == 30)
        let simPort = sim.url.split(separator: ":").last.map(String.init) ?? "?"
        #expect(!proxy.tunnels.isEmpty)
        #expect(proxy.tunnels.allSatisfy { $0.hasSuffix(":" + simPort) }, "\(proxy.tunnels)")
    }

    @Test func theProxyVariablesAreHonouredAndNoProxyBypassesThem() async throws {
        let sim = try await Simulator()
        // Nothing listens on port 9 of loopback: through that "proxy" the API is unreachable.
        let proxied = try await promptline(
            ["doctor", "--timeout", "3"], environment: sim.environment.merging(["HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""]) { $1 })
        #expect(proxied.status == 75, "\(proxied.stdout)")
        #expect(proxied.stdout.contains("proxy: through 127.0.0.1:9"))
        let bypassed = try await promptline(
            ["doctor"],
            environment: sim.environment.merging(["HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "localhost,127.0.0.1"]) { $1 })
        #expect(bypassed.status == 0, "\(bypassed.stdout)")
    }
}
