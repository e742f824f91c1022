import Foundation
import Testing

@testable import Promptline

/// Usage, stop reasons and model ids as the API reports them (issue 9 point 5), through the store.
@Suite struct UsageFidelityTests {
    let directory = TemporaryDirectory()

    @Test func aResponsesCacheTokensStopReasonAndDatedModelAreRead() throws {
        let body = #"""
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001","content":[{"type":"text","text":"x"}],
             "stop_reason":"max_tokens","stop_sequence":null,
             "usage":{"input_tokens":10,"output_tokens":20,"cache_creation_input_tokens":300,"cache_read_input_tokens":40,
                      "cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":200}}}
            """#
        let decoded = try #require(MessageResponse.parse(Array(body.utf8)))
        #expect(decoded.usage.tokens == TokenCount(input: 10, output: 20, cacheCreation: 300, cacheCreation1h: 200, cacheRead: 40))
        #expect(decoded.stop_reason == "max_tokens")
        #expect(decoded.model == "claude-haiku-4-5-20251001")
        let bare = try #require(
            MessageResponse.parse(
                Array(#"{"id":"m","type":"message","model":"x","content":[],"usage":{"input_tokens":1,"output_tokens":2}}"#.utf8)))
        #expect(bare.usage.tokens == TokenCount(input: 1, output: 2))
    }

    @Test(arguments: [
        #"{"id":"m","type":"message","model":"x","content":[],"usage":{"input_tokens":1.5,"output_tokens":2}}"#,
        #"{"id":"m","type":"message","model":"x","content":[{"text":"no type"}],"usage":{"input_tokens":1,"output_tokens":2}}"#,
        #"{"id":"m","type":"message","model":"x","content":[],"usage":{"input_tokens":1}}"#,
        #"{"id":"m","type":"message","model":"x","content":{},"usage":{"input_tokens":1,"output_tokens":2}}"#,
        #"{"id":"m","type":"message","model":"x","content":[],"usage":{"input_tokens":1,"output_tokens":2},"stop_reason":7}"#,
        #"{"id":"m","type":"message","model":"x","content":[],"usage":{"input_tokens":1,"output_tokens":2,"cache_read_input_tokens":"3"}}"#,
        #"{"id":"m","type":"message","model":"x","content":[],"usage":{"input_tokens":1,"output_tokens":2}"#,
        #"{"id":"m","type":"message","content":[],"usage":{"input_tokens":1,"output_tokens":2}}"#,
        #"[{"id":"m"}]"#,
    ])
    func aBodyThatIsNotAMessagesResponseIsRefused(body: String) {
        #expect(MessageResponse.parse(Array(body.utf8)) == nil)
    }

    private func answer(stop: String?, creation: Int, read: Int, model: String = "claude-haiku-4-5") -> StoredAnswer {
        var answer = StoredAnswer(
            state: .succeeded, result: Array("{}".utf8), servedBy: Array("{}".utf8), tier: .primary, model: model,
            errorType: nil, inputTokens: 10, outputTokens: 20, attempts: 1)
        answer.cacheCreationTokens = creation
        answer.cacheCreation1hTokens = creation / 2
        answer.cacheReadTokens = read
        answer.stopReason = stop
        return answer
    }

    @Test func theStoreKeepsCacheTokensAndStopReasonsAndStatusSumsThem() async throws {
        let store = try Store(path: directory.file("s.db"))
        let answers = [
            ("a", answer(stop: "end_turn", creation: 1000, read: 0)),
            ("b", answer(stop: "max_tokens", creation: 0, read: 500)),
            ("c", answer(stop: "max_tokens", creation: 0, read: 500, model: "mystery-model")),
        ]
        for (key, answer) in answers {
            _ = try await store.claim(key, model: "m", messagesKey: key, retryErrored: false)
            try await store.complete(key, answer: answer)
        }
        #expect(try await store.answers(for: ["a"])["a"] == answers[0].1)
        let report = try await StatusReport.make(store: store, storePath: "s.db", output: nil)
        #expect(report.status.cacheCreationInputTokens == 1000)
        #expect(report.status.cacheReadInputTokens == 1000)
        #expect(report.status.stopReasons == ["end_turn": 1, "max_tokens": 2])
        // Haiku 4.5: 20 in, 40 out, 500 written for 5 min, 500 for 1 h, 500 read.
        let dollars: Double = 20 * 1.0 + 40 * 5 + 500 * 1.25 + 500 * 2 + 500 * 0.1
        let expected = dollars / 1_000_000
        #expect(abs((report.costByModel["claude-haiku-4-5"] ?? 0) - expected) < 1e-12)
        #expect(report.unpricedModels == ["mystery-model"])
        #expect(report.text.contains("mystery-model: in 10, out 20, cache writes 0, cache reads 500, estimated unknown"))
        #expect(report.text.contains("stop reasons: end_turn 1, max_tokens 2"))
    }

    @Test func aVersionOneStoreIsUpgradedInPlaceAndKeepsItsAnswers() async throws {
        let path = directory.file("v1.db")
        do {
            let db = try SQLiteConnection(path: path)
            try db.execute(
                """
                CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE requests(key TEXT PRIMARY KEY, model TEXT NOT NULL, messages_key TEXT NOT NULL, state TEXT NOT NULL,
                  owner TEXT, lease_expires REAL, dispatches INTEGER NOT NULL DEFAULT 0, interrupted INTEGER NOT NULL DEFAULT 0,
                  attempts INTEGER NOT NULL DEFAULT 0, result BLOB, served_by BLOB, tier TEXT, served_model TEXT, error_type TEXT,
                  input_tokens INTEGER NOT NULL DEFAULT 0, output_tokens INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL,
                  updated_at REAL NOT NULL);
                CREATE TABLE jobs(output TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, inputs TEXT NOT NULL,
                  records_written INTEGER NOT NULL DEFAULT 0, output_offset INTEGER NOT NULL DEFAULT 0, total_records INTEGER,
                  finished INTEGER NOT NULL DEFAULT 0, started_at REAL NOT NULL, updated_at REAL NOT NULL, summary TEXT);
                INSERT INTO meta VALUES ('schema_version', '1');
                INSERT INTO requests(key, model, messages_key, state, result, served_by, tier, served_model, input_tokens, output_tokens,
                  attempts, created_at, updated_at)
                  VALUES ('k', 'm', 'mk', 'succeeded', X'7B7D', X'7B7D', 'primary', 'm', 3, 4, 1, 0, 0);
                """)
        }
        let store = try Store(path: path)
        let old = try #require(try await store.answers(for: ["k"])["k"])
        #expect(old.inputTokens == 3 && old.cacheReadTokens == 0 && old.stopReason == nil)
        _ = try await store.claim("k2", model: "m", messagesKey: "mk2", retryErrored: false)
        try await store.complete("k2", answer: answer(stop: "end_turn", creation: 8, read: 2))
        #expect(try await store.answers(for: ["k2"])["k2"]?.cacheCreationTokens == 8)
    }

    @Test func theSummaryCountsStopReasonsAndWarnsAboutMaxTokensOnce() {
        var summary = JobSummary()
        summary.stopReasons = ["end_turn": 588, "max_tokens": 412]
        summary.answeringModels = ["claude-haiku-4-5": ["claude-haiku-4-5-20251001"]]
        summary.unpricedModels = ["mystery-model"]
        let text = summary.humanDescription
        #expect(summary.maxTokensWarning == "412 records stopped at max_tokens; raise --max-tokens")
        #expect(text.components(separatedBy: "stopped at max_tokens").count == 2)
        #expect(text.contains("stop reasons: end_turn 588, max_tokens 412"))
        #expect(text.contains("claude-haiku-4-5 answered as claude-haiku-4-5-20251001"))
        #expect(text.contains("cost unknown for mystery-model"))
        #expect(text.contains("estimated cost $0.0000 + unknown"))
        summary.stopReasons = ["end_turn": 3]
        #expect(summary.maxTokensWarning == nil)
    }

    @Test func aSummaryStoredByAnOlderBuildStillDecodes() throws {
        let old =
            #"{"records":{"succeeded":1},"tiers":{"primary":1},"reusedFromStore":0,"requestsSent":1,"retries":0,"rateLimited":0,"inputTokens":1,"outputTokens":1,"tokensByModel":{"m":{"input":1,"output":1}},"costUSD":0,"costByModel":{},"rateLimits":{},"concurrencyWindow":4,"breakerTrips":0,"interruptedKeys":0,"wallSeconds":1,"recordsPerSecond":1,"exitCode":0,"output":"o","outputComplete":true}"#
        let summary = try JSONDecoder().decode(JobSummary.self, from: Data(old.utf8))
        #expect(summary.tokensByModel["m"] == TokenCount(input: 1, output: 1))
        #expect(summary.stopReasons == nil)
    }
}
