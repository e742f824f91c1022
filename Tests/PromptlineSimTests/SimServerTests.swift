import Foundation
import Testing

@testable import PromptlineSim

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite struct SimServerTests {
    @Test func successHasTheAPIShapeAndHeaders() async throws {
        try await withSimulator { client async throws in
            let body = messageBody("Hello there")
            let result = try await client.message(body)
            #expect(result.status == 200)
            #expect(result.header("content-type") == "application/json")
            #expect(result.header("request-id")?.hasPrefix("req_sim_") == true)
            for bucket in ["requests", "input-tokens", "output-tokens", "tokens"] {
                #expect(result.header("anthropic-ratelimit-\(bucket)-limit") == String(SimRateLimiter.unlimitedFigure))
                #expect(result.header("anthropic-ratelimit-\(bucket)-remaining") != nil)
                #expect(result.header("anthropic-ratelimit-\(bucket)-reset")?.hasSuffix("Z") == true)
            }
            let json = try #require(result.json)
            #expect(json["type"] as? String == "message")
            #expect(json["role"] as? String == "assistant")
            #expect(json["model"] as? String == "claude-sonnet-4-5-20250929")
            #expect(json["stop_reason"] as? String == "end_turn")
            #expect(json["stop_sequence"] is NSNull)
            let content = try #require(json["content"] as? [[String: Any]])
            #expect(content.first?["type"] as? String == "text")
            #expect(content.first?["text"] as? String == SimulatedModel.text(forBody: Array(body.utf8)))
            let usage = try #require(json["usage"] as? [String: Any])
            #expect(usage["input_tokens"] as? Int == body.utf8.count / 4)
            #expect(usage["cache_read_input_tokens"] as? Int == 0)
            let raw = String(decoding: result.body, as: UTF8.self)
            #expect(raw.hasPrefix(#"{"content":[{"text":"#))
        }
    }

    @Test func sameBodyGivesSameTextAndANewID() async throws {
        try await withSimulator { client async throws in
            let first = try #require(try await client.message(messageBody("repeat me")).json)
            let second = try #require(try await client.message(messageBody("repeat me")).json)
            let text = { (json: [String: Any]) in ((json["content"] as? [[String: Any]])?.first?["text"] as? String) }
            #expect(text(first) == text(second))
            #expect(first["id"] as? String != second["id"] as? String)
            let fingerprint = SimulatedModel.fingerprint(body: Array(messageBody("repeat me").utf8))
            #expect(first["id"] as? String == SimulatedModel.messageID(fingerprint: fingerprint, occurrence: 0))
            #expect(second["id"] as? String == SimulatedModel.messageID(fingerprint: fingerprint, occurrence: 1))
        }
    }

    @Test func wrongAPIKeyGets401AuthenticationError() async throws {
        try await withSimulator(SimConfiguration(apiKey: "good")) { client async throws in
            let wrong = try await client.message(messageBody("x"), apiKey: "bad")
            #expect(wrong.status == 401)
            #expect(wrong.errorType == "authentication_error")
            #expect(wrong.json?["type"] as? String == "error")
            #expect((wrong.json?["request_id"] as? String)?.hasPrefix("req_sim_") == true)
            #expect(try await client.send("GET", "v1/models", headers: ["x-api-key": "bad"]).status == 401)
            #expect(try await client.message(messageBody("x"), apiKey: "good").status == 200)
        }
    }

    @Test func missingVersionOrBadBodyIs400InvalidRequest() async throws {
        try await withSimulator { client async throws in
            let noVersion = try await client.message(messageBody("x"), version: nil)
            #expect(noVersion.status == 400)
            #expect(noVersion.errorType == "invalid_request_error")
            let notJSON = try await client.message("{nope")
            #expect(notJSON.status == 400)
            #expect(notJSON.errorType == "invalid_request_error")
            let noMaxTokens = try await client.message(#"{"model":"claude-sonnet-4-5","messages":[]}"#)
            #expect(noMaxTokens.status == 400)
            #expect((noMaxTokens.json?["error"] as? [String: Any])?["message"] as? String == "max_tokens: Field required (an integer)")
        }
    }

    @Test func unknownModelIs404AndModelsAreListed() async throws {
        try await withSimulator { client async throws in
            let unknown = try await client.message(messageBody("x", model: "claude-nope"))
            #expect(unknown.status == 404)
            #expect(unknown.errorType == "not_found_error")
            let models = try await client.send("GET", "v1/models")
            #expect(models.status == 200)
            let data = try #require(models.json?["data"] as? [[String: Any]])
            #expect(data.compactMap { $0["id"] as? String } == SimConfiguration.defaultModels.map { SimModelCatalog.snapshots[$0]! })
            #expect(data.first?["type"] as? String == "model")
            #expect(models.json?["has_more"] as? Bool == false)
            #expect(models.json?["first_id"] as? String == "claude-opus-4-1-20250805")
            #expect(models.json?["last_id"] as? String == "claude-3-5-haiku-20241022")
        }
    }

    @Test(arguments: [
        ("408", 408, "timeout_error"), ("409", 409, "conflict_error"), ("500", 500, "api_error"),
        ("503", 503, "api_error"), ("504", 504, "timeout_error"), ("529", 529, "overloaded_error"),
        ("400", 400, "invalid_request_error"), ("413", 413, "request_too_large"),
    ])
    func contentTriggerGivesTheErrorStatusAndType(kind: String, status: Int, type: String) async throws {
        try await withSimulator { client async throws in
            let result = try await client.message(messageBody("please [[sim:\(kind)]] now"))
            #expect(result.status == status)
            #expect(result.errorType == type)
            #expect(result.header("request-id") == result.json?["request_id"] as? String)
            #expect(result.header("anthropic-ratelimit-requests-limit") != nil)
        }
    }

    @Test func overloadedCarriesShouldRetryAndNoRetryAfter() async throws {
        try await withSimulator { client async throws in
            let result = try await client.message(messageBody("[[sim:529]]"))
            #expect(result.status == 529)
            #expect(result.header("x-should-retry") == "true")
            #expect(result.header("retry-after") == nil)
        }
    }

    @Test func spendCapIs429WithErrorCodeAndNoRetryAfter() async throws {
        try await withSimulator { client async throws in
            let result = try await client.message(messageBody("[[sim:spend_cap]]"))
            #expect(result.status == 429)
            #expect(result.errorType == "rate_limit_error")
            #expect(result.header("retry-after") == nil)
            let details = (result.json?["error"] as? [String: Any])?["details"] as? [String: Any]
            #expect(details?["error_code"] as? String == "enforced_spend_limit_reached")
        }
    }

    @Test func creditTriggerIs400SayingTheBalanceIsTooLow() async throws {
        try await withSimulator { client async throws in
            let result = try await client.message(messageBody("[[sim:credit]]"))
            #expect(result.status == 400)
            let message = (result.json?["error"] as? [String: Any])?["message"] as? String
            #expect(message?.contains("credit balance is too low") == true)
        }
    }

    @Test func spendCapAfterNSuccessesBlocksEveryRequest() async throws {
        try await withSimulator(SimConfiguration(scenario: SimScenario(spendCapAfter: 2))) { client async throws in
            #expect(try await client.message(messageBody("a")).status == 200)
            #expect(try await client.message(messageBody("b")).status == 200)
            let capped = try await client.message(messageBody("c"))
            #expect(capped.status == 429)
            #expect(capped.header("retry-after") == nil)
        }
    }

    @Test func malformedTriggerIs200WithInvalidJSON() async throws {
        try await withSimulator { client async throws in
            let result = try await client.message(messageBody("[[sim:malformed]]"))
            #expect(result.status == 200)
            #expect((try? JSONSerialization.jsonObject(with: result.body)) == nil)
        }
    }

    @Test func resetTriggerClosesTheConnectionWithoutAResponse() async throws {
        try await withSimulator { client async throws in
            await #expect(throws: (any Error).self) {
                _ = try await client.message(messageBody("[[sim:reset]]"))
            }
            #expect(try await client.message(messageBody("after")).status == 200)
        }
    }

    @Test func hangTriggerNeverAnswersUntilTheClientGivesUp() async throws {
        try await withSimulator(timeout: 1) { client async throws in
            await #expect(throws: (any Error).self) {
                _ = try await client.message(messageBody("[[sim:hang]]"))
            }
        }
    }

    @Test func rateLimitGives429WithRetryAfterAndHeaders() async throws {
        let scenario = SimScenario(rateLimits: RateLimits(requestsPerMinute: 2))
        try await withSimulator(SimConfiguration(scenario: scenario)) { client async throws in
            #expect(try await client.message(messageBody("1")).status == 200)
            let second = try await client.message(messageBody("2"))
            #expect(second.status == 200)
            #expect(second.header("anthropic-ratelimit-requests-limit") == "2")
            #expect(second.header("anthropic-ratelimit-requests-remaining") == "0")
            let third = try await client.message(messageBody("3"))
            #expect(third.status == 429)
            #expect(third.errorType == "rate_limit_error")
            let retryAfter = try #require(third.header("retry-after").flatMap(Int.init))
            #expect((1...30).contains(retryAfter))
        }
    }

    @Test func outageWindowFailsOnlyTheNamedModel() async throws {
        let scenario = SimScenario(outages: [.init(model: "claude-opus-4-1", startS: 0, endS: 3600, kind: "529")])
        try await withSimulator(SimConfiguration(scenario: scenario)) { client async throws in
            #expect(try await client.message(messageBody("x", model: "claude-opus-4-1")).status == 529)
            #expect(try await client.message(messageBody("x", model: "claude-haiku-4-5")).status == 200)
        }
    }

    @Test func outageInTheFutureDoesNotApplyYet() async throws {
        let scenario = SimScenario(outages: [.init(model: "*", startS: 3600, endS: 7200, kind: "500")])
        try await withSimulator(SimConfiguration(scenario: scenario)) { client async throws in
            #expect(try await client.message(messageBody("x")).status == 200)
        }
    }

    @Test func errorRateOfOneFailsEveryRequest() async throws {
        let scenario = SimScenario(errorRates: ["503": 1])
        try await withSimulator(SimConfiguration(scenario: scenario)) { client async throws in
            for _ in 0..<3 {
                #expect(try await client.message(messageBody("x")).status == 503)
            }
        }
    }

    @Test func sameSeedReproducesTheSameFaultSequence() async throws {
        let scenario = SimScenario(errorRates: ["500": 0.5])
        let statuses: @Sendable (HTTPTestClient) async throws -> [Int] = { client async throws in
            var result: [Int] = []
            for index in 0..<12 {
                result.append(try await client.message(messageBody("r\(index)")).status)
            }
            return result
        }
        let first = try await withSimulator(SimConfiguration(seed: 7, scenario: scenario), statuses)
        let second = try await withSimulator(SimConfiguration(seed: 7, scenario: scenario), statuses)
        #expect(first == second)
        #expect(first.contains(500))
        #expect(first.contains(200))
    }

    @Test func statsCountRequestsByStatusModelAndFingerprintAndReset() async throws {
        try await withSimulator { client async throws in
            _ = try await client.message(messageBody("a"))
            _ = try await client.message(messageBody("a"))
            _ = try await client.message(messageBody("[[sim:529]]", model: "claude-haiku-4-5"))
            _ = try await client.message("{broken")
            let stats = try #require(try await client.send("GET", "_sim/stats").json)
            #expect(stats["requests"] as? Int == 4)
            #expect(stats["by_status"] as? [String: Int] == ["200": 2, "529": 1, "400": 1])
            let byModel = stats["by_model"] as? [String: [String: Int]]
            #expect(byModel?["claude-sonnet-4-5"] == ["200": 2])
            #expect(byModel?["claude-haiku-4-5"] == ["529": 1])
            let fingerprint = SimulatedModel.fingerprint(body: Array(messageBody("a").utf8))
            #expect((stats["by_fingerprint"] as? [String: Int])?[fingerprint] == 2)
            #expect((stats["by_fingerprint"] as? [String: Int])?.count == 2)
            #expect((stats["accepted_per_second"] as? [String: Int])?.values.reduce(0, +) == 2)

            #expect(try await client.send("POST", "_sim/reset").status == 200)
            let zeroed = try #require(try await client.send("GET", "_sim/stats").json)
            #expect(zeroed["requests"] as? Int == 0)
            #expect((zeroed["by_status"] as? [String: Int])?.isEmpty == true)
        }
    }

    @Test func scenarioCanBeReplacedAndReadAtRuntime() async throws {
        try await withSimulator { client async throws in
            #expect(try await client.message(messageBody("x")).status == 200)
            let put = try await client.send("PUT", "_sim/scenario", body: #"{"error_rates":{"529":1},"models":["claude-test"]}"#)
            #expect(put.status == 200)
            #expect(try await client.message(messageBody("x")).status == 529)
            #expect(try await client.message(messageBody("x", model: "claude-test")).status == 529)
            let read = try #require(try await client.send("GET", "_sim/scenario").json)
            #expect(read["error_rates"] as? [String: Double] == ["529": 1])
            let models = try #require(try await client.send("GET", "v1/models").json?["data"] as? [[String: Any]])
            #expect(models.contains { $0["id"] as? String == "claude-test" })
            let bad = try await client.send("PUT", "_sim/scenario", body: #"{"error_rates":{"teapot":1}}"#)
            #expect(bad.status == 400)
            #expect(try await client.send("PUT", "_sim/scenario", body: "{}").status == 200)
            #expect(try await client.message(messageBody("x")).status == 200)
        }
    }
}
