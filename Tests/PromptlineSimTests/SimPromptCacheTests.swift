import Testing

@testable import PromptlineSim

/// The prompt cache with an injected clock (unix seconds): what is read, written and when.
@Suite struct SimPromptCacheTests {
    /// A prompt whose system prefix (8,000 characters) is over Sonnet 4.5's minimum of 1,024 tokens.
    static let systemTokens = CacheRequests.textBlockBytes(8000) / 4

    static func prompt(question: String = "q", ttl: String? = nil) -> SimCachePrompt {
        CacheRequests.prompt(CacheRequests.systemCached(systemCharacters: 8000, ttl: ttl, question: question))
    }

    @Test func aWriteIsReadByTheNextRequestOnceItsAnswerIsSent() {
        var cache = SimPromptCache()
        let first = cache.lookup(Self.prompt(question: "one"), inputTokens: 3000, now: 0)
        #expect(first.readTokens == 0)
        #expect(first.write5mTokens == Self.systemTokens && first.write1hTokens == 0)
        #expect(first.uncachedInputTokens == 3000 - Self.systemTokens)
        cache.commit(first, now: 1)
        let second = cache.lookup(Self.prompt(question: "two"), inputTokens: 3000, now: 2)
        #expect(second.readTokens == Self.systemTokens)
        #expect(second.writeTokens == 0 && second.writes.isEmpty)
        let usage = second.usage(outputTokens: 7)
        #expect(usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens == 3000)
        #expect(usage.cacheReadInputTokens == Self.systemTokens && usage.outputTokens == 7)
    }

    @Test func requestsArrivingBeforeTheFirstAnswerAllMissAndAllWrite() {
        var cache = SimPromptCache()
        let first = cache.lookup(Self.prompt(question: "a"), inputTokens: 3000, now: 0)
        let second = cache.lookup(Self.prompt(question: "b"), inputTokens: 3000, now: 0.5)
        #expect(first.writeTokens == Self.systemTokens && second.writeTokens == Self.systemTokens)
        #expect(first.readTokens == 0 && second.readTokens == 0)
        cache.commit(first, now: 2)
        cache.commit(second, now: 2.5)
        #expect(cache.lookup(Self.prompt(question: "c"), inputTokens: 3000, now: 3).readTokens == Self.systemTokens)
    }

    @Test func aFiveMinuteEntryExpiresUnlessAReadRefreshesIt() {
        var cache = SimPromptCache()
        cache.commit(cache.lookup(Self.prompt(), inputTokens: 3000, now: 0), now: 0)
        #expect(cache.lookup(Self.prompt(), inputTokens: 3000, now: 299).readTokens == Self.systemTokens)
        // The read at 299 s gave it 5 more minutes.
        #expect(cache.lookup(Self.prompt(), inputTokens: 3000, now: 598).readTokens == Self.systemTokens)
        let late = cache.lookup(Self.prompt(), inputTokens: 3000, now: 898)
        #expect(late.readTokens == 0 && late.write5mTokens == Self.systemTokens)
        #expect(cache.entries.isEmpty, "the expired entry met by the lookup is dropped")
    }

    @Test func aOneHourBreakpointWritesOneHourTokensThatLiveAnHour() {
        var cache = SimPromptCache()
        let write = cache.lookup(Self.prompt(ttl: "1h"), inputTokens: 3000, now: 0)
        #expect(write.write1hTokens == Self.systemTokens && write.write5mTokens == 0)
        #expect(write.usage(outputTokens: 1).cacheCreation.ephemeral1hInputTokens == Self.systemTokens)
        cache.commit(write, now: 0)
        var copy = cache
        #expect(cache.lookup(Self.prompt(ttl: "1h"), inputTokens: 3000, now: 3599).readTokens == Self.systemTokens)
        #expect(copy.lookup(Self.prompt(ttl: "1h"), inputTokens: 3000, now: 3600).readTokens == 0)
        var fiveMinutes = SimPromptCache()
        fiveMinutes.commit(fiveMinutes.lookup(Self.prompt(), inputTokens: 3000, now: 0), now: 0)
        #expect(fiveMinutes.lookup(Self.prompt(), inputTokens: 3000, now: 300).readTokens == 0)
    }

    @Test func aPrefixBelowTheModelsMinimumIsNotCached() {
        var cache = SimPromptCache()
        // 2,000 characters are about 506 tokens: under Sonnet 4.5's 1,024, over Opus 5's 512 once 2,100.
        let short = CacheRequests.prompt(CacheRequests.systemCached(systemCharacters: 2000))
        let missed = cache.lookup(short, inputTokens: 3000, now: 0)
        #expect(missed.writeTokens == 0 && missed.writes.isEmpty && missed.uncachedInputTokens == 3000)
        cache.commit(missed, now: 0)
        #expect(cache.lookup(short, inputTokens: 3000, now: 1).readTokens == 0)
        let haiku = CacheRequests.prompt(CacheRequests.systemCached(systemCharacters: 8000), model: "claude-haiku-4-5-20251001")
        #expect(cache.lookup(haiku, inputTokens: 3000, now: 0).writeTokens == 0, "2,006 tokens are under Haiku 4.5's 4,096")
        let opus5 = CacheRequests.prompt(CacheRequests.systemCached(systemCharacters: 2100), model: "claude-opus-5")
        #expect(cache.lookup(opus5, inputTokens: 3000, now: 0).writeTokens == CacheRequests.textBlockBytes(2100) / 4)
    }

    @Test func topLevelCacheControlCachesTheWholePromptForTheNextTurn() {
        var cache = SimPromptCache()
        // A growing conversation with automatic caching: each turn reads the previous one's prefix.
        let turn1 = CacheRequests.prompt(CacheRequests.conversation(turns: 1, characters: 5000))
        let first = cache.lookup(turn1, inputTokens: 2000, now: 0)
        let turn1Tokens = CacheRequests.textBlockBytes(5000) / 4
        #expect(first.write5mTokens == turn1Tokens)
        cache.commit(first, now: 1)
        let turn2 = CacheRequests.prompt(CacheRequests.conversation(turns: 3, characters: 5000))
        let second = cache.lookup(turn2, inputTokens: 5000, now: 2)
        #expect(second.readTokens == turn1Tokens, "the lookback finds the prefix written one turn before")
        #expect(second.write5mTokens == turn2.breakpoints[0].prefix.tokens - turn1Tokens)
    }

    @Test func theLookbackStopsTwentyBlocksBeforeTheBreakpoint() {
        var cache = SimPromptCache()
        let early = CacheRequests.prompt(CacheRequests.conversation(turns: 1, characters: 5000))
        cache.commit(cache.lookup(early, inputTokens: 2000, now: 0), now: 0)
        // 22 blocks: the first block is 21 blocks before the breakpoint, out of reach.
        let long = CacheRequests.prompt(CacheRequests.conversation(turns: 22, characters: 5000))
        #expect(cache.lookup(long, inputTokens: 40_000, now: 1).readTokens == 0)
        let reachable = CacheRequests.prompt(CacheRequests.conversation(turns: 21, characters: 5000))
        #expect(cache.lookup(reachable, inputTokens: 40_000, now: 1).readTokens == CacheRequests.textBlockBytes(5000) / 4)
    }

    @Test func writesAreSplitByTheTTLOfTheBreakpointThatWritesThem() {
        var cache = SimPromptCache()
        let body = CacheRequests.parse(
            #"{"model":"m","max_tokens":1,"system":[{"type":"text","text":"\#(CacheRequests.text(8000))","cache_control":{"type":"ephemeral","ttl":"1h"}}],"messages":[{"role":"user","content":[{"type":"text","text":"\#(CacheRequests.text(4000, "u"))","cache_control":{"type":"ephemeral"}}]}]}"#
        )
        let prompt = CacheRequests.prompt(body)
        let lookup = cache.lookup(prompt, inputTokens: 5000, now: 0)
        #expect(lookup.write1hTokens == Self.systemTokens)
        #expect(lookup.write5mTokens == prompt.breakpoints[1].prefix.tokens - Self.systemTokens)
        #expect(lookup.writes.map(\.ttl) == [.oneHour, .fiveMinutes])
    }

    @Test func theCachedPartLeavesAtLeastOneUncachedToken() {
        var cache = SimPromptCache()
        let lookup = cache.lookup(Self.prompt(), inputTokens: 1500, now: 0)
        #expect(lookup.writeTokens == 1499 && lookup.uncachedInputTokens == 1)
    }

    @Test func theInputTokenLimitIsChargedWithUncachedInputAndWritesButNotReads() {
        var cache = SimPromptCache()
        let write = cache.lookup(Self.prompt(), inputTokens: 3000, now: 0)
        #expect(write.rateLimitedInputTokens == 3000)
        cache.commit(write, now: 0)
        let read = cache.lookup(Self.prompt(), inputTokens: 3000, now: 1)
        #expect(read.rateLimitedInputTokens == 3000 - Self.systemTokens)
    }

    @Test func theCacheKeepsAtMostItsCapacityDroppingTheEntriesClosestToExpiry() {
        var cache = SimPromptCache(capacity: 10)
        for index in 0..<25 {
            let prompt = CacheRequests.prompt(CacheRequests.systemCached(systemCharacters: 8000 + index))
            cache.commit(cache.lookup(prompt, inputTokens: 3000, now: Double(index)), now: Double(index))
            #expect(cache.entries.count <= 10)
        }
        let newest = CacheRequests.prompt(CacheRequests.systemCached(systemCharacters: 8024))
        let oldest = CacheRequests.prompt(CacheRequests.systemCached(systemCharacters: 8000))
        #expect(cache.lookup(newest, inputTokens: 3000, now: 30).readTokens > 0)
        #expect(cache.lookup(oldest, inputTokens: 3000, now: 30).readTokens == 0)
    }

    @Test func aBatchReadsOtherBatchesAndOldMessagesWritesButItsOwnOnlyWhenItsDrawSaysSo() {
        var cache = SimPromptCache()
        let fromMessages = CacheRequests.prompt(CacheRequests.systemCached(systemCharacters: 8000))
        cache.commit(cache.lookup(fromMessages, inputTokens: 3000, now: 0), writer: .messages, now: 0)
        #expect(cache.lookup(fromMessages, inputTokens: 3000, reader: .batch(id: "b1", readsOwnBatch: true), now: 1).readTokens == 0)
        #expect(cache.lookup(fromMessages, inputTokens: 3000, reader: .batch(id: "b1", readsOwnBatch: true), now: 30).readTokens > 0)

        let fromBatch = CacheRequests.prompt(CacheRequests.systemCached(systemCharacters: 9000))
        cache.commit(cache.lookup(fromBatch, inputTokens: 3000, now: 100), writer: .batch("b1"), now: 100)
        #expect(cache.lookup(fromBatch, inputTokens: 3000, reader: .batch(id: "b1", readsOwnBatch: false), now: 100).readTokens == 0)
        #expect(cache.lookup(fromBatch, inputTokens: 3000, reader: .batch(id: "b1", readsOwnBatch: true), now: 100).readTokens > 0)
        #expect(cache.lookup(fromBatch, inputTokens: 3000, reader: .batch(id: "b2", readsOwnBatch: false), now: 100).readTokens > 0)
        #expect(cache.lookup(fromBatch, inputTokens: 3000, reader: .messages, now: 100).readTokens > 0)
    }
}
