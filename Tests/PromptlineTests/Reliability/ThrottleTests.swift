import Testing

@testable import Promptline

@Suite struct ThrottleTests {
    private func throttle(
        concurrency: Int, requestsPerMinute: Int? = nil, headerAware: Bool = true, remembered: [String: ModelMemory] = [:]
    ) -> Throttle {
        Throttle(
            requestsPerMinute: requestsPerMinute, inputTokensPerMinute: nil, outputTokensPerMinute: nil, maximumConcurrency: concurrency,
            headerAware: headerAware, remembered: remembered, clock: TestTime().clock)
    }

    /// Limits given with the flags: every model's window starts at the room they leave, within
    /// `--concurrency`, before any answer.
    @Test(.timeLimit(.minutes(1))) func limitsGivenWithTheFlagsStartEveryModelsWindowAtTheirRoom() async throws {
        let throttle = throttle(concurrency: 64, requestsPerMinute: 1_000)
        let a = try await throttle.acquire(model: "a", bodyBytes: 100, maxTokens: 10)
        #expect(throttle.concurrencyLimit == 64)
        throttle.cancelled(a)
        let narrow = self.throttle(concurrency: 64, requestsPerMinute: 20)
        let b = try await narrow.acquire(model: "b", bodyBytes: 100, maxTokens: 10)
        #expect(narrow.concurrencyLimit == 20)
        narrow.cancelled(b)
    }

    /// Limits an earlier job remembered start that model's window at their room; a model nothing is
    /// known of starts at 10; with the headers ignored, what was learned from them is ignored too.
    @Test(.timeLimit(.minutes(1))) func limitsRememberedOfAModelStartItsWindowAtTheirRoom() async throws {
        let remembered = ["a": ModelMemory(requestsPerMinute: 4_000, inputTokensPerMinute: nil, latency: 2)]
        let throttle = throttle(concurrency: 64, remembered: remembered)
        let a = try await throttle.acquire(model: "a", bodyBytes: 100, maxTokens: 10)
        #expect(throttle.concurrencyLimit == 64)
        throttle.cancelled(a)
        let other = self.throttle(concurrency: 64, remembered: remembered)
        let b = try await other.acquire(model: "b", bodyBytes: 100, maxTokens: 10)
        #expect(other.concurrencyLimit == 10)
        other.cancelled(b)
        let headerless = self.throttle(concurrency: 64, headerAware: false, remembered: remembered)
        let c = try await headerless.acquire(model: "a", bodyBytes: 100, maxTokens: 10)
        #expect(headerless.concurrencyLimit == 10)
        headerless.cancelled(c)
    }

    /// Each model starts its own slow start: a model at its window does not hold back another.
    @Test(.timeLimit(.minutes(1))) func eachModelHasItsOwnWindowWithinTheConcurrency() async throws {
        let throttle = throttle(concurrency: 32)
        var permits: [Throttle.Permit] = []
        for _ in 0..<10 { permits.append(try await throttle.acquire(model: "a", bodyBytes: 100, maxTokens: 10)) }
        for _ in 0..<10 { permits.append(try await throttle.acquire(model: "b", bodyBytes: 100, maxTokens: 10)) }
        #expect(throttle.inFlight == 20)
        #expect(throttle.concurrencyLimit == 20)  // two lanes starting at 10
        // An answer of a fully used window widens that model's window only (the later ones find it
        // no longer full, and prove nothing).
        for permit in permits.prefix(10) { throttle.answered(permit, headers: nil, inputTokens: 1, outputTokens: 1) }
        #expect(throttle.concurrencyLimit == 21)
        for permit in permits.suffix(10) { throttle.cancelled(permit) }
        #expect(throttle.inFlight == 0)
    }

    /// The first answer whose rate-limit headers show room opens its model's window to it at once (a
    /// fast start at real latencies), within `--concurrency`.
    @Test(.timeLimit(.minutes(1))) func anAnswerWhoseHeadersShowRoomOpensItsModelsWindow() async throws {
        let throttle = throttle(concurrency: 64)
        let permit = try await throttle.acquire(model: "a", bodyBytes: 100, maxTokens: 10)
        let roomy = RateLimitHeaders(requests: .init(limit: 4_000, remaining: 3_999))
        throttle.answered(permit, headers: roomy, inputTokens: 1, outputTokens: 1)
        #expect(throttle.concurrencyLimit == 64)
    }

    @Test(.timeLimit(.minutes(1))) func aWaiterGetsTheSlotAnAnswerFrees() async throws {
        let throttle = throttle(concurrency: 1)
        let first = try await throttle.acquire(model: "a", bodyBytes: 100, maxTokens: 10)
        async let second = throttle.acquire(model: "b", bodyBytes: 100, maxTokens: 10)
        // The answer comes only once the second acquisition waits: freed earlier, the slot would be
        // taken without any wait, and the waiter's path would go untested.
        while throttle.waiting < 1 { await Task.yield() }
        #expect(throttle.inFlight == 1)
        throttle.answered(first, headers: nil, inputTokens: 1, outputTokens: 1)
        let permit = try await second
        #expect(permit.model == "b")
        #expect(throttle.inFlight == 1)
    }

    /// Stopping (as the job's stop gate does through `onStop`) ends a wait for a slot at once, and
    /// later acquisitions fail at once too; the slots already held stay theirs to give back.
    @Test(.timeLimit(.minutes(1))) func aStopEndsEveryWaitForASlotWithCancellation() async throws {
        let throttle = throttle(concurrency: 1)
        let gate = StopGate()
        gate.onStop { throttle.stop() }
        let held = try await throttle.acquire(model: "a", bodyBytes: 100, maxTokens: 10, stopGate: gate)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for model in ["a", "b"] {
                group.addTask {
                    await #expect(throws: CancellationError.self) {
                        _ = try await throttle.acquire(model: model, bodyBytes: 100, maxTokens: 10, stopGate: gate)
                    }
                }
            }
            // Both wait (concurrency 1 is held); the stop ends them without any slot given.
            while throttle.waiting < 2 { await Task.yield() }
            gate.stop()
            try await group.waitForAll()
        }
        await #expect(throws: CancellationError.self) {
            _ = try await throttle.acquire(model: "a", bodyBytes: 100, maxTokens: 10, stopGate: gate)
        }
        #expect(throttle.inFlight == 1)
        throttle.cancelled(held)
        #expect(throttle.inFlight == 0)
    }
}
