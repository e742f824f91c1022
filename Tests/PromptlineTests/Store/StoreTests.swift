import Foundation
import Testing

@testable import Promptline

@Suite struct StoreTests {
    let directory = TemporaryDirectory()

    private func answer(_ text: String, state: StoredAnswer.State = .succeeded) -> StoredAnswer {
        StoredAnswer(
            state: state, result: Array(text.utf8), servedBy: Array("{}".utf8), tier: state == .succeeded ? .primary : ServedTier.none,
            model: "m", errorType: state == .errored ? "api_error" : nil, inputTokens: 3, outputTokens: 5, attempts: 1)
    }

    @Test func claimCommitsIntentAndCompleteStoresTheAnswer() async throws {
        let store = try Store(path: directory.file("s.db"))
        #expect(try await store.claim("k1", model: "m", messagesKey: "mk", retryErrored: false) == .claimed(interrupted: false))
        #expect(try await store.answers(for: ["k1"]).isEmpty)
        try await store.complete("k1", answer: answer("A"))
        #expect(try await store.answers(for: ["k1"])["k1"] == answer("A"))
        #expect(try await store.claim("k1", model: "m", messagesKey: "mk", retryErrored: false) == .done(answer("A")))
    }

    @Test func aSucceededAnswerIsNeverRewritten() async throws {
        let store = try Store(path: directory.file("s.db"))
        _ = try await store.claim("k", model: "m", messagesKey: "mk", retryErrored: false)
        try await store.complete("k", answer: answer("first"))
        let kept = try await store.complete("k", answer: answer("second"))
        #expect(kept == answer("first"))
        #expect(try await store.answers(for: ["k"])["k"] == answer("first"))
    }

    @Test func erroredKeysAreRetriedOnlyWhenAsked() async throws {
        let store = try Store(path: directory.file("s.db"))
        _ = try await store.claim("k", model: "m", messagesKey: "mk", retryErrored: false)
        try await store.complete("k", answer: answer("E", state: .errored))
        #expect(try await store.claim("k", model: "m", messagesKey: "mk", retryErrored: false) == .done(answer("E", state: .errored)))
        #expect(try await store.claim("k", model: "m", messagesKey: "mk", retryErrored: true) == .claimed(interrupted: false))
        #expect(try await store.answers(for: ["k"], includeErrored: false).isEmpty)
    }

    @Test func aKeyLeasedByAnotherLiveProcessIsNotClaimed() async throws {
        let path = directory.file("s.db")
        let first = try Store(path: path)
        let second = try Store(path: path)
        #expect(try await first.claim("k", model: "m", messagesKey: "mk", retryErrored: false) == .claimed(interrupted: false))
        guard case .leased = try await second.claim("k", model: "m", messagesKey: "mk", retryErrored: false) else {
            Issue.record("the second owner claimed a key the first holds")
            return
        }
    }

    @Test func anExpiredLeaseIsTakenOverAndCountedAsInterrupted() async throws {
        let path = directory.file("s.db")
        let first = try Store(path: path, leaseSeconds: -1)
        let second = try Store(path: path)
        _ = try await first.claim("k", model: "m", messagesKey: "mk", retryErrored: false)
        #expect(try await second.claim("k", model: "m", messagesKey: "mk", retryErrored: false) == .claimed(interrupted: true))
        #expect(try await second.status().interruptedKeys == 1)
    }

    @Test func aDeadOwnersLeaseIsTakenOverAtOnce() async throws {
        let store = try Store(path: directory.file("s.db"))
        // A lease far in the future, held by a process of this host that does not exist.
        try await store.execute(
            """
            INSERT INTO requests(key, model, messages_key, state, owner, lease_expires, dispatches, created_at, updated_at)
            VALUES ('k', 'm', 'mk', 'inflight', '\(ProcessInfo.processInfo.hostName)/999999999/1', 1e12, 1, 0, 0)
            """)
        #expect(try await store.claim("k", model: "m", messagesKey: "mk", retryErrored: false) == .claimed(interrupted: true))
    }

    @Test func aRenewedLeaseIsNotTakenOverWhereAnExpiredOneWouldBe() async throws {
        let path = directory.file("s.db")
        let time = TestTime()
        let first = try Store(path: path, leaseSeconds: 10, wallClock: time.wallClock)
        let second = try Store(path: path, leaseSeconds: 10, wallClock: time.wallClock)
        _ = try await first.claim("renewed", model: "m", messagesKey: "mk", retryErrored: false)
        _ = try await first.claim("expired", model: "m", messagesKey: "mk", retryErrored: false)
        time.set(8)
        try await first.renewLease("renewed")
        time.set(12)
        #expect(try await second.claim("renewed", model: "m", messagesKey: "mk", retryErrored: false) == .leased(until: 18))
        #expect(try await second.claim("expired", model: "m", messagesKey: "mk", retryErrored: false) == .claimed(interrupted: true))
    }

    @Test func releasingLeasesMakesKeysPendingAgain() async throws {
        let path = directory.file("s.db")
        let first = try Store(path: path)
        _ = try await first.claim("k", model: "m", messagesKey: "mk", retryErrored: false)
        try await first.releaseLeases()
        let second = try Store(path: path)
        #expect(try await second.claim("k", model: "m", messagesKey: "mk", retryErrored: false) == .claimed(interrupted: false))
    }

    @Test func aModelsMemoryKeepsWhatALaterJobDidNotLearn() async throws {
        let store = try Store(path: directory.file("s.db"))
        #expect(try await store.memories().isEmpty)
        try await store.remember(ModelMemory(requestsPerMinute: 1200, inputTokensPerMinute: nil, latency: 0.4), of: "claude-haiku-4-5")
        // A job that learned no limits (no headers) still updates the latency, and keeps the limits known.
        try await store.remember(ModelMemory(requestsPerMinute: nil, inputTokensPerMinute: 400_000, latency: 0.2), of: "claude-haiku-4-5")
        try await store.remember(ModelMemory(requestsPerMinute: 50, inputTokensPerMinute: nil, latency: 3), of: "claude-opus-4-1")
        #expect(
            try await store.memories() == [
                "claude-haiku-4-5": ModelMemory(requestsPerMinute: 1200, inputTokensPerMinute: 400_000, latency: 0.2),
                "claude-opus-4-1": ModelMemory(requestsPerMinute: 50, inputTokensPerMinute: nil, latency: 3),
            ])
    }

    /// A job reads every model's memory at once (its windows start from the limits remembered).
    @Test func theMemoriesOfEveryModelAreReadTogether() async throws {
        let store = try Store(path: directory.file("s.db"))
        #expect(try await store.memories().isEmpty)
        let haiku = ModelMemory(requestsPerMinute: 1200, inputTokensPerMinute: nil, latency: 0.4)
        let sonnet = ModelMemory(requestsPerMinute: 4000, inputTokensPerMinute: 2_000_000, latency: nil)
        try await store.remember(haiku, of: "claude-haiku-4-5")
        try await store.remember(sonnet, of: "claude-sonnet-4-5")
        #expect(try await store.memories() == ["claude-haiku-4-5": haiku, "claude-sonnet-4-5": sonnet])
    }

    @Test func aDeadlineSwitchLastsUntilTheJobFinishes() async throws {
        let store = try Store(path: directory.file("s.db"))
        try await store.beginJob(output: "out.jsonl", fingerprint: "f", inputs: ["in.jsonl"])
        try await store.recordDeadlineSwitch(output: "out.jsonl")
        #expect(try await store.deadlineSwitched(output: "out.jsonl"))
        #expect(try await !store.deadlineSwitched(output: "other.jsonl"))
        try await store.finishJob(output: "out.jsonl", records: 1, offset: 10, summary: Array("{}".utf8))
        #expect(try await !store.deadlineSwitched(output: "out.jsonl"), "a later run of a finished job would not start batches first")
    }

    @Test func jobCheckpointsRoundTrip() async throws {
        let store = try Store(path: directory.file("s.db"))
        #expect(try await store.checkpoint(output: "o.gz") == nil)
        try await store.beginJob(output: "o.gz", fingerprint: "f", inputs: ["a"])
        try await store.saveProgress(output: "o.gz", records: 10, offset: 321)
        #expect(
            try await store.checkpoint(output: "o.gz")
                == JobCheckpoint(
                    output: "o.gz", fingerprint: "f", recordsWritten: 10, outputOffset: 321, finished: false, totalRecords: nil))
        try await store.finishJob(output: "o.gz", records: 12, offset: 400, summary: Array("{}".utf8))
        #expect(try await store.checkpoint(output: "o.gz")?.finished == true)
    }

    @Test func statusCountsKeysTokensAndFailures() async throws {
        let store = try Store(path: directory.file("s.db"))
        for (key, state) in [("a", StoredAnswer.State.succeeded), ("b", .errored), ("c", .succeeded)] {
            _ = try await store.claim(RequestKey(text: key), model: "m", messagesKey: key, retryErrored: false)
            try await store.complete(RequestKey(text: key), answer: answer(key, state: state))
        }
        _ = try await store.claim("d", model: "m", messagesKey: "d", retryErrored: false)
        let status = try await store.status()
        #expect(status.keysByState == ["succeeded": 2, "errored": 1, "inflight": 1])
        #expect(status.failuresByType == ["api_error": 1])
        #expect(status.leasedKeys == 1)
        #expect(status.inputTokens == 9)
    }

    @Test func aNewerSchemaIsRefusedWithAClearError() async throws {
        let path = directory.file("s.db")
        let store = try Store(path: path)
        try await store.execute("UPDATE meta SET value = '99' WHERE name = 'schema_version'")
        #expect {
            _ = try Store(path: path)
        } throws: { error in
            (error as? StoreError)?.code == .schemaTooNew
        }
    }

    @Test func anUnwritableLocationIsAClearError() {
        #expect(throws: StoreError.self) {
            _ = try Store(path: "/proc/promptline-cannot-write/state.db")
        }
    }
}

extension StoreTests {
    private func indexes(_ store: Store) async throws -> [String] {
        try await store.texts(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests' AND sql IS NOT NULL ORDER BY name")
    }

    /// Claims and answers maintain no index beyond the key's: the messages index is made by the first
    /// stale lookup, which then finds the answer to the same messages under other parameters.
    @Test func theMessagesIndexIsMadeByTheFirstStaleLookupOnly() async throws {
        let store = try Store(path: directory.file("s.db"))
        _ = try await store.claim("k1", model: "m", messagesKey: "same", retryErrored: false)
        try await store.complete("k1", answer: answer("A"))
        #expect(try await indexes(store) == [])
        #expect(try await store.staleAnswer(messagesKey: "same", excluding: "k2") == answer("A"))
        #expect(try await indexes(store) == ["requests_messages"])
        #expect(try await store.staleAnswer(messagesKey: "same", excluding: "k1") == nil)
    }

    /// A store of schema 3 loses the two indexes claims and answers paid for, and keeps its answers.
    @Test func aStoreOfSchemaThreeIsUpgradedWithoutTheStateAndMessagesIndexes() async throws {
        let path = directory.file("s.db")
        do {
            let store = try Store(path: path)
            _ = try await store.claim("k1", model: "m", messagesKey: "mk", retryErrored: false)
            try await store.complete("k1", answer: answer("A"))
            try await store.execute(
                """
                CREATE INDEX requests_messages ON requests(messages_key); CREATE INDEX requests_state ON requests(state);
                UPDATE meta SET value = '3' WHERE name = 'schema_version'
                """)
            #expect(try await indexes(store) == ["requests_messages", "requests_state"])
        }
        let store = try Store(path: path)
        #expect(try await indexes(store) == [])
        #expect(try await store.texts("SELECT value FROM meta WHERE name = 'schema_version'") == ["4"])
        #expect(try await store.answers(for: ["k1"]) == ["k1": answer("A")])
    }
}
