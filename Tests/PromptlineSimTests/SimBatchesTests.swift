import Foundation
import Testing

@testable import PromptlineSim

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The simulated Message Batches API (docs/SIMULATOR.md, API-NOTES §6).
@Suite struct SimBatchesTests {
    static let headers = ["anthropic-version": "2023-06-01"]

    /// A create body with one request per (custom_id, params) pair.
    static func createBody(_ requests: [(String, String)]) -> String {
        #"{"requests":["# + requests.map { #"{"custom_id":"\#($0.0)","params":\#($0.1)}"# }.joined(separator: ",") + "]}"
    }

    static func configuration(_ batches: SimBatchScenario, errorRates: [String: Double]? = nil) -> SimConfiguration {
        SimConfiguration(scenario: SimScenario(errorRates: errorRates, batches: batches))
    }

    /// `GET` of a path with a query string (``HTTPTestClient/send`` would escape the `?`).
    static func list(_ client: HTTPTestClient, _ query: String) async throws -> HTTPResult {
        var request = URLRequest(url: URL(string: client.baseURL.absoluteString + "/v1/messages/batches?" + query)!)
        request.setValue("2023-06-01", forHTTPHeaderField: "anthropic-version")
        let (data, response) = try await client.session.data(for: request)
        return HTTPResult(status: (response as! HTTPURLResponse).statusCode, headers: [:], body: data)
    }

    static func create(_ client: HTTPTestClient, _ requests: [(String, String)]) async throws -> HTTPResult {
        try await client.send("POST", "v1/messages/batches", headers: headers, body: createBody(requests))
    }

    static func results(_ client: HTTPTestClient, _ id: String) async throws -> [[String: Any]] {
        let result = try await client.send("GET", "v1/messages/batches/\(id)/results", headers: headers)
        #expect(result.status == 200)
        #expect(result.header("content-type") == "application/x-jsonl")
        return String(decoding: result.body, as: UTF8.self).split(separator: "\n").map {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:]
        }
    }

    @Test func createRefusesBadCustomIDsDuplicatesAndEmptyBatches() async throws {
        try await withSimulator { client async throws in
            let params = messageBody("hi")
            for bad in ["has space", String(repeating: "a", count: 65), "", "semi;colon"] {
                let result = try await Self.create(client, [(bad, params)])
                #expect(result.status == 400, "custom_id \(bad) was accepted")
                #expect(result.errorType == "invalid_request_error")
            }
            let duplicate = try await Self.create(client, [("a", params), ("a", params)])
            #expect(duplicate.status == 400)
            let empty = try await client.send("POST", "v1/messages/batches", headers: Self.headers, body: #"{"requests":[]}"#)
            #expect(empty.status == 400)
            let longest = try await Self.create(client, [(String(repeating: "a", count: 64), params), ("A-z_0", params)])
            #expect(longest.status == 200)
        }
    }

    @Test func createAnswersAMessageBatchInProgress() async throws {
        try await withSimulator(Self.configuration(SimBatchScenario(processingMs: 3_600_000))) { client async throws in
            let created = try await Self.create(client, [("a", messageBody("one")), ("b", messageBody("two"))])
            #expect(created.status == 200)
            let json = try #require(created.json)
            #expect(json["type"] as? String == "message_batch")
            #expect(json["processing_status"] as? String == "in_progress")
            #expect((json["id"] as? String)?.hasPrefix("msgbatch_") == true)
            #expect(json["results_url"] is NSNull)
            #expect(json["archived_at"] is NSNull)
            let counts = try #require(json["request_counts"] as? [String: Int])
            #expect(counts == ["processing": 2, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0])
            #expect((json["created_at"] as? String)?.hasSuffix("Z") == true)
            let id = try #require(json["id"] as? String)
            let early = try await client.send("GET", "v1/messages/batches/\(id)/results", headers: Self.headers)
            #expect(early.status == 404, "results were served before the batch ended")
            #expect(early.errorType == "not_found_error")
        }
    }

    @Test func endedBatchServesResultsByTheMessagesRules() async throws {
        try await withSimulator(Self.configuration(SimBatchScenario(processingMs: 0))) { client async throws in
            let good = messageBody("hello batch")
            let created = try await Self.create(
                client,
                [
                    ("good", good), ("zero", messageBody("x", maxTokens: 0)), ("busy", messageBody("[[sim:529]] later")),
                    ("nomodel", messageBody("x", model: "claude-nonexistent")),
                ])
            let id = try #require(created.json?["id"] as? String)
            let batch = try #require(try await client.send("GET", "v1/messages/batches/\(id)", headers: Self.headers).json)
            #expect(batch["processing_status"] as? String == "ended")
            #expect((batch["results_url"] as? String)?.hasSuffix("/v1/messages/batches/\(id)/results") == true)
            #expect(
                batch["request_counts"] as? [String: Int] == ["processing": 0, "succeeded": 1, "errored": 3, "canceled": 0, "expired": 0])
            let lines = try await Self.results(client, id)
            let byID = Dictionary(
                uniqueKeysWithValues: lines.map { ($0["custom_id"] as? String ?? "", $0["result"] as? [String: Any] ?? [:]) })
            let message = try #require(byID["good"]?["message"] as? [String: Any])
            let text = (message["content"] as? [[String: Any]])?.first?["text"] as? String
            #expect(text == SimulatedModel.text(forBody: Array(good.utf8)))
            let errorType = { (id: String) in ((byID[id]?["error"] as? [String: Any])?["error"] as? [String: Any])?["type"] as? String }
            #expect(errorType("zero") == "invalid_request_error")
            #expect(errorType("busy") == "overloaded_error")
            #expect(errorType("nomodel") == "not_found_error")
        }
    }

    @Test func listIsNewestFirstAndPagesWithAfterAndBeforeIDs() async throws {
        try await withSimulator(Self.configuration(SimBatchScenario(processingMs: 3_600_000))) { client async throws in
            var ids: [String] = []
            for index in 0..<5 {
                let created = try await Self.create(client, [("r\(index)", messageBody("q\(index)"))])
                ids.append(try #require(created.json?["id"] as? String))
            }
            let newest = Array(ids.reversed())
            let first = try #require(try await Self.list(client, "limit=2").json)
            #expect((first["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == Array(newest[0..<2]))
            #expect(first["has_more"] as? Bool == true)
            #expect(first["first_id"] as? String == newest[0])
            #expect(first["last_id"] as? String == newest[1])
            let second = try #require(
                try await Self.list(client, "limit=2&after_id=\(newest[1])").json)
            #expect((second["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == Array(newest[2..<4]))
            let last = try #require(try await Self.list(client, "limit=2&after_id=\(newest[3])").json)
            #expect((last["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [newest[4]])
            #expect(last["has_more"] as? Bool == false)
            let before = try #require(
                try await Self.list(client, "limit=2&before_id=\(newest[3])").json)
            #expect((before["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == Array(newest[1..<3]))
            #expect(before["has_more"] as? Bool == true)
            #expect(try await Self.list(client, "limit=0").status == 400)
        }
    }

    @Test func cancelEndsTheBatchWithCanceledResults() async throws {
        // An hour of processing: neither request finishes before the cancel; cancel_ms 0 ends it at once.
        try await withSimulator(Self.configuration(SimBatchScenario(processingMs: 3_600_000, cancelMs: 0))) { client async throws in
            let id = try #require(try await Self.create(client, [("a", messageBody("x")), ("b", messageBody("y"))]).json?["id"] as? String)
            let canceled = try #require(try await client.send("POST", "v1/messages/batches/\(id)/cancel", headers: Self.headers).json)
            #expect(canceled["processing_status"] as? String == "ended")
            #expect(canceled["cancel_initiated_at"] is String)
            let ended = try #require(try await client.send("GET", "v1/messages/batches/\(id)", headers: Self.headers).json)
            #expect(ended["processing_status"] as? String == "ended")
            let lines = try await Self.results(client, id)
            #expect(lines.compactMap { ($0["result"] as? [String: Any])?["type"] as? String } == ["canceled", "canceled"])
        }
    }

    @Test func aCancelingBatchStaysSoUntilCancelMsAndAnEndedBatchCannotBeCanceled() async throws {
        let scenario = Self.configuration(SimBatchScenario(processingMs: 3_600_000, cancelMs: 3_600_000))
        try await withSimulator(scenario) { client async throws in
            let id = try #require(try await Self.create(client, [("a", messageBody("x"))]).json?["id"] as? String)
            let first = try #require(try await client.send("POST", "v1/messages/batches/\(id)/cancel", headers: Self.headers).json)
            #expect(first["processing_status"] as? String == "canceling")
            #expect(
                first["request_counts"] as? [String: Int] == ["processing": 1, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0])
            let second = try await client.send("POST", "v1/messages/batches/\(id)/cancel", headers: Self.headers)
            #expect(second.status == 200)
            #expect(second.json?["cancel_initiated_at"] as? String == first["cancel_initiated_at"] as? String)
            #expect(try await client.send("GET", "v1/messages/batches/\(id)/results", headers: Self.headers).status == 404)

            #expect(try await client.send("PUT", "_sim/scenario", body: #"{"batches":{"processing_ms":0}}"#).status == 200)
            let done = try #require(try await Self.create(client, [("a", messageBody("x"))]).json?["id"] as? String)
            let late = try await client.send("POST", "v1/messages/batches/\(done)/cancel", headers: Self.headers)
            #expect(late.status == 400)
            #expect(late.errorType == "invalid_request_error")
            #expect(
                try await Self.results(client, done).compactMap { ($0["result"] as? [String: Any])?["type"] as? String } == ["succeeded"])
        }
    }

    @Test func aStalledBatchNeverMovesUntilCanceledAndTheCountersShowIt() async throws {
        let scenario = Self.configuration(SimBatchScenario(processingMs: 0, cancelMs: 0, stallFirst: 1))
        try await withSimulator(scenario) { client async throws in
            let pair = [("a", messageBody("x")), ("b", messageBody("y"))]
            let stalled = try #require(try await Self.create(client, pair).json?["id"] as? String)
            let moving = try #require(try await Self.create(client, pair).json?["id"] as? String)
            #expect(
                try await client.send("GET", "v1/messages/batches/\(moving)", headers: Self.headers).json?["processing_status"] as? String
                    == "ended")
            let still = try #require(try await client.send("GET", "v1/messages/batches/\(stalled)", headers: Self.headers).json)
            #expect(still["processing_status"] as? String == "in_progress")
            #expect(
                still["request_counts"] as? [String: Int] == ["processing": 2, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0])
            // cancel_ms 0: the cancel's answer already shows the batch ended.
            let canceled = try #require(try await client.send("POST", "v1/messages/batches/\(stalled)/cancel", headers: Self.headers).json)
            #expect(canceled["processing_status"] as? String == "ended")
            #expect(canceled["ended_at"] as? String == canceled["cancel_initiated_at"] as? String)
            #expect(
                canceled["request_counts"] as? [String: Int] == [
                    "processing": 0, "succeeded": 0, "errored": 0, "canceled": 2, "expired": 0,
                ])
            #expect(
                try await Self.results(client, stalled).compactMap { ($0["result"] as? [String: Any])?["type"] as? String } == [
                    "canceled", "canceled",
                ])

            let counters = try #require(try await client.send("GET", "_sim/batches").json)
            #expect((counters["cancel_times"] as? [String: Double])?.keys.sorted() == [stalled])
            #expect(counters["finished_by_batch"] as? [String: Int] == [stalled: 0, moving: 2])
            #expect(counters["canceled_by_batch"] as? [String: Int] == [stalled: 2])
            #expect(counters["billed_by_batch"] as? [String: Int] == [stalled: 0, moving: 2])
            let stats = try #require(try await client.send("GET", "_sim/stats").json)
            let billed = (stats["billed"] as? [String: [String: [String: Int]]])?["claude-sonnet-4-5"]?["batch"]
            #expect(billed?["requests"] == 2)
        }
    }

    @Test func messagesRateLimitsApplyWhileBatchesRunAndBatchesDoNotSpendThem() async throws {
        // The first batch never moves, so a batch is in progress from start to end.
        let limits = SimScenario(
            rateLimits: RateLimits(requestsPerMinute: 2), modelRateLimits: ["claude-haiku-4-5": RateLimits(requestsPerMinute: 1)],
            batches: SimBatchScenario(processingMs: 0, stallFirst: 1))
        try await withSimulator(SimConfiguration(scenario: limits)) { client async throws in
            let running = try #require(try await Self.create(client, [("a", messageBody("z"))]).json?["id"] as? String)
            func runBatch(_ model: String, _ count: Int) async throws -> [String] {
                let requests = (0..<count).map { ("r\($0)", messageBody("batch \(model) \($0)", model: model)) }
                let created = try await Self.create(client, requests)
                #expect(created.status == 200)
                let id = try #require(created.json?["id"] as? String)
                return try await Self.results(client, id).compactMap { ($0["result"] as? [String: Any])?["type"] as? String }
            }
            // Five batch requests per model, more than either Messages limit: none is spent on them.
            #expect(try await runBatch("claude-sonnet-4-5", 5) == Array(repeating: "succeeded", count: 5))
            #expect(try await runBatch("claude-haiku-4-5", 5) == Array(repeating: "succeeded", count: 5))
            #expect(try await client.message(messageBody("m1")).status == 200)
            #expect(try await client.message(messageBody("m2")).status == 200)
            #expect(try await client.message(messageBody("h1", model: "claude-haiku-4-5")).status == 200)
            // The Messages buckets are empty now, with a batch still in progress: the limits hold.
            let limited = try await client.message(messageBody("m3"))
            #expect(limited.status == 429)
            #expect(limited.errorType == "rate_limit_error")
            #expect(try await client.message(messageBody("h2", model: "claude-haiku-4-5")).status == 429)
            #expect(try await runBatch("claude-haiku-4-5", 2) == ["succeeded", "succeeded"], "the Messages limit held back a batch")
            #expect(
                try await client.send("GET", "v1/messages/batches/\(running)", headers: Self.headers).json?["processing_status"] as? String
                    == "in_progress")
            let stats = try #require(try await client.send("GET", "_sim/stats").json)
            #expect(stats["requests"] as? Int == 5, "batch requests were counted as Messages requests")
        }
    }

    @Test func expireFirstExpiresOnlyTheFirstBatches() async throws {
        try await withSimulator(Self.configuration(SimBatchScenario(processingMs: 0, expireFirst: 1))) { client async throws in
            let first = try #require(try await Self.create(client, [("a", messageBody("x"))]).json?["id"] as? String)
            let second = try #require(try await Self.create(client, [("a", messageBody("x"))]).json?["id"] as? String)
            #expect(
                try await Self.results(client, first).compactMap { ($0["result"] as? [String: Any])?["type"] as? String } == ["expired"])
            #expect(
                try await Self.results(client, second).compactMap { ($0["result"] as? [String: Any])?["type"] as? String } == ["succeeded"])
        }
    }

    @Test func unknownBatchIs404AndWrongKeyIs401() async throws {
        try await withSimulator(SimConfiguration(apiKey: "good")) { client async throws in
            let unknown = try await client.send("GET", "v1/messages/batches/msgbatch_nope", headers: ["x-api-key": "good"])
            #expect(unknown.status == 404)
            #expect(unknown.errorType == "not_found_error")
            let wrong = try await client.send(
                "POST", "v1/messages/batches", headers: Self.headers.merging(["x-api-key": "bad"]) { $1 },
                body: Self.createBody([("a", messageBody("x"))]))
            #expect(wrong.status == 401)
        }
    }

    @Test func statsCountCreatesPollsAndHeldCreates() async throws {
        let scenario = Self.configuration(SimBatchScenario(processingMs: 3_600_000, holdCreates: 1))
        try await withSimulator(scenario) { client async throws in
            // The first create is held: its batch exists, its answer never comes (a client that gives
            // up after 1 s; the other requests keep the default timeout, so a slow machine is no failure).
            let impatient = HTTPTestClient(baseURL: client.baseURL, timeout: 1)
            await #expect(throws: (any Error).self) { try await Self.create(impatient, [("a", messageBody("x"))]) }
            let second = try #require(
                try await Self.create(client, [("b", messageBody("y")), ("c", messageBody("z"))]).json?["id"] as? String)
            _ = try await client.send("GET", "v1/messages/batches/\(second)", headers: Self.headers)
            _ = try await client.send("GET", "v1/messages/batches/\(second)", headers: Self.headers)
            let list = try #require(try await client.send("GET", "v1/messages/batches", headers: Self.headers).json)
            #expect((list["data"] as? [[String: Any]])?.count == 2, "the held create made no batch")
            let stats = try JSONDecoder().decode(SimBatchStats.self, from: try await client.send("GET", "_sim/batches").body)
            #expect(stats.creates == 2)
            #expect(stats.created == 2)
            #expect(stats.held == 1)
            #expect(stats.polls == 2)
            #expect(stats.pollsByBatch[second] == 2)
            #expect(stats.pollTimes[second]?.count == 2)
            #expect(stats.requestsByBatch[second] == 2)
            #expect(stats.lists == 1)
            _ = try await client.send("POST", "_sim/reset")
            let reset = try JSONDecoder().decode(SimBatchStats.self, from: try await client.send("GET", "_sim/batches").body)
            #expect(reset == SimBatchStats())
            #expect(
                try await client.send("GET", "v1/messages/batches/\(second)", headers: Self.headers).status == 200, "reset removed a batch")
        }
    }

    @Test func batchRequestsReadOtherBatchesEntriesAndTheirOwnBatchsBestEffortAndAreBilledAsBatch() async throws {
        try await withSimulator(Self.configuration(SimBatchScenario(processingMs: 0, cacheHitRate: 1))) { client async throws in
            func params(_ system: String, _ question: String) -> String {
                #"{"model":"claude-sonnet-4-5","max_tokens":50,"system":[{"type":"text","text":"\#(system)","cache_control":{"type":"ephemeral","ttl":"1h"}}],"messages":[{"role":"user","content":"\#(question)"}]}"#
            }
            func run(_ requests: [(String, String)]) async throws -> [String: [String: Any]] {
                let id = try #require(try await Self.create(client, requests).json?["id"] as? String)
                #expect(
                    try await client.send("GET", "v1/messages/batches/\(id)", headers: Self.headers).json?["processing_status"] as? String
                        == "ended")
                return Dictionary(
                    uniqueKeysWithValues: try await Self.results(client, id).map {
                        (
                            $0["custom_id"] as? String ?? "",
                            (($0["result"] as? [String: Any])?["message"] as? [String: Any])?["usage"] as? [String: Any] ?? [:]
                        )
                    })
            }
            let shared = String(repeating: "Shared context. ", count: 1280)
            let prefixTokens = CacheRequests.textBlockBytes(shared.utf8.count) / 4
            // Every request reads its own batch's writes (cache_hit_rate 1): a writes, b (after it by custom_id) reads.
            let first = try await run([("a", params(shared, "one")), ("b", params(shared, "two"))])
            #expect((first["a"]?["cache_creation"] as? [String: Int])?["ephemeral_1h_input_tokens"] == prefixTokens)
            #expect(first["b"]?["cache_read_input_tokens"] as? Int == prefixTokens)

            let scenario = #"{"batches":{"processing_ms":0,"cache_hit_rate":0}}"#
            #expect(try await client.send("PUT", "_sim/scenario", body: scenario).status == 200)
            // None reads its own batch's writes now, but an earlier batch's entry is read.
            let other = String(repeating: "Other context. ", count: 1400)
            let second = try await run([("c", params(shared, "three")), ("d", params(other, "four")), ("e", params(other, "five"))])
            #expect(second["c"]?["cache_read_input_tokens"] as? Int == prefixTokens)
            #expect(second["d"]?["cache_creation_input_tokens"] as? Int ?? 0 > 0)
            #expect(second["e"]?["cache_creation_input_tokens"] as? Int == second["d"]?["cache_creation_input_tokens"] as? Int)
            #expect(second["e"]?["cache_read_input_tokens"] as? Int == 0)

            let stats = try #require(try await client.send("GET", "_sim/stats").json)
            let batch = (stats["billed"] as? [String: [String: [String: Int]]])?["claude-sonnet-4-5"]?["batch"]
            #expect(batch?["requests"] == 5)
            #expect(batch?["cache_read_input_tokens"] == 2 * prefixTokens)
            #expect(
                batch?["cache_creation_1h_input_tokens"] == prefixTokens + 2 * (second["d"]?["cache_creation_input_tokens"] as? Int ?? 0))
            #expect(batch?["cache_creation_5m_input_tokens"] == 0)
        }
    }
}
