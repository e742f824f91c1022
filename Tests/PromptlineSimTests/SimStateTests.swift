import Testing

@testable import PromptlineSim

/// The simulator's decisions with an injected clock.
@Suite struct SimStateTests {
    @Test func theInputTokenLimitIsChargedWithUncachedInputAndWritesNotReads() async throws {
        let limits = RateLimits(inputTokensPerMinute: 100_000)
        let state = SimState(configuration: SimConfiguration(scenario: SimScenario(rateLimits: limits)), now: 0)
        let model = "claude-sonnet-4-5"
        let first = await state.plan(
            model: model, fingerprint: "a", userText: "one", inputTokens: 3000, prompt: SimPromptCacheTests.prompt(question: "one"), now: 0)
        #expect(first.outcome == .success)
        let write = try #require(first.cache)
        #expect(write.writeTokens == SimPromptCacheTests.systemTokens)
        #expect(await state.rateLimitSnapshots(model: model, now: 0).inputTokens.remaining == 97_000)
        await state.succeeded(model: model, usage: write.usage(outputTokens: 5), cache: write, admittedAt: 0, now: 0)

        let second = await state.plan(
            model: model, fingerprint: "b", userText: "two", inputTokens: 3000, prompt: SimPromptCacheTests.prompt(question: "two"), now: 0)
        let read = try #require(second.cache)
        #expect(read.readTokens == SimPromptCacheTests.systemTokens)
        #expect(await state.rateLimitSnapshots(model: model, now: 0).inputTokens.remaining == 97_000 - (3000 - read.readTokens))
    }

    @Test func aSucceededAnswerIsBilledUnderItsModelAndBackend() async {
        let state = SimState(configuration: SimConfiguration(), now: 0)
        var usage = SimMessage.Usage(inputTokens: 10, outputTokens: 4)
        usage.cacheCreationInputTokens = 7
        usage.cacheCreation.ephemeral1hInputTokens = 7
        usage.cacheReadInputTokens = 20
        await state.succeeded(model: "claude-opus-4-1", usage: usage, admittedAt: 0, now: 0)
        await state.succeeded(model: "claude-opus-4-1", usage: SimMessage.Usage(inputTokens: 5, outputTokens: 1), admittedAt: 0, now: 0)
        var expected = SimBilledTokens()
        expected.inputTokens = 15
        expected.outputTokens = 5
        expected.cacheCreation1hInputTokens = 7
        expected.cacheReadInputTokens = 20
        expected.requests = 2
        #expect(await state.currentStats().billed == ["claude-opus-4-1": ["messages": expected]])
        await state.resetStats()
        #expect(await state.currentStats().billed.isEmpty)
    }

    /// `/_sim/stats` keys each answer by its status code, `hang`, `reset` or the hostile fault's name.
    @Test func answersAreCountedUnderTheirStatsNames() async {
        let state = SimState(configuration: SimConfiguration(), now: 0)
        await state.answered(.status(529), model: "m")
        await state.answered(.hang, model: "m")
        await state.answered(.reset, model: nil)
        await state.answered(.hostile(.notJSON), model: "m")
        await state.succeeded(model: "m", usage: SimMessage.Usage(inputTokens: 1, outputTokens: 1), admittedAt: 0, now: 0)
        let stats = await state.currentStats()
        #expect(stats.byStatus == ["529": 1, "hang": 1, "reset": 1, "not_json": 1, "200": 1])
        #expect(stats.byModel == ["m": ["529": 1, "hang": 1, "not_json": 1, "200": 1]])
    }
}
