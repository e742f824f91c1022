import Testing

@testable import PromptlineSim

/// How a request's blocks and breakpoints become cache prefixes (docs/SIMULATOR.md, "Prompt caching").
@Suite struct SimCachePromptTests {
    @Test func aRequestWithoutCacheControlIsNotAnalysed() throws {
        let plain = CacheRequests.parse(
            #"{"model":"m","max_tokens":1,"system":"s","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}]}"#)
        #expect(!SimCachePrompt.hasCacheControl(plain))
        #expect(try SimCachePrompt.analyze(plain, model: "m").get() == nil)
        let null = CacheRequests.parse(#"{"model":"m","max_tokens":1,"cache_control":null,"messages":[{"role":"user","content":"x"}]}"#)
        #expect(try SimCachePrompt.analyze(null, model: "m").get() == nil)
    }

    @Test func aPrefixCountsTheCanonicalBytesOfItsBlocksOverFour() {
        let prompt = CacheRequests.prompt(CacheRequests.systemCached(systemCharacters: 8000))
        #expect(prompt.breakpoints.count == 1)
        #expect(prompt.breakpoints[0].prefix.block == 0)
        #expect(prompt.breakpoints[0].prefix.tokens == CacheRequests.textBlockBytes(8000) / 4)
        #expect(prompt.breakpoints[0].ttl == .fiveMinutes)
        #expect(prompt.minimumTokens == 1024)
    }

    @Test func aStringSystemPromptIsOneTextBlockLikeItsArrayForm() {
        let string = CacheRequests.parse(
            #"{"model":"m","max_tokens":1,"cache_control":{"type":"ephemeral"},"system":"abc","messages":[{"role":"user","content":"x"}]}"#)
        let array = CacheRequests.parse(
            #"{"model":"m","max_tokens":1,"system":[{"type":"text","text":"abc","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":[{"type":"text","text":"x","cache_control":{"type":"ephemeral"}}]}]}"#
        )
        let fromString = CacheRequests.prompt(string)
        let fromArray = CacheRequests.prompt(array)
        // Top-level: the breakpoint is on the last block (the user's text), which the array form marks explicitly.
        #expect(fromString.breakpoints.map(\.prefix) == [fromArray.breakpoints[1].prefix])
        #expect(fromArray.breakpoints[0].prefix.block == 0)
    }

    @Test func topLevelCacheControlMarksTheLastBlock() {
        let prompt = CacheRequests.prompt(CacheRequests.conversation(turns: 3, characters: 100))
        #expect(prompt.breakpoints.map(\.prefix.block) == [2])
        // The lookup checks the breakpoint's prefix and every earlier boundary, longest first.
        #expect(prompt.candidates.map(\.block) == [2, 1, 0])
    }

    @Test func theLookbackReachesTwentyBlocksBeforeTheLastBreakpoint() {
        let prompt = CacheRequests.prompt(CacheRequests.conversation(turns: 30, characters: 10))
        #expect(prompt.candidates.map(\.block) == Array((9...29).reversed()))
    }

    @Test func moreThanFourBreakpointsAreRefused() {
        let block = #"{"type":"text","text":"t","cache_control":{"type":"ephemeral"}}"#
        let five =
            #"{"model":"m","max_tokens":1,"system":[\#(Array(repeating: block, count: 5).joined(separator: ","))],"messages":[{"role":"user","content":"x"}]}"#
        #expect(CacheRequests.refusal(five) == "A maximum of 4 blocks with cache_control may be provided. Found 5.")
        let fourAndTopLevel =
            #"{"model":"m","max_tokens":1,"cache_control":{"type":"ephemeral"},"system":[\#(Array(repeating: block, count: 4).joined(separator: ","))],"messages":[{"role":"user","content":"x"}]}"#
        #expect(CacheRequests.refusal(fourAndTopLevel) == "A maximum of 4 blocks with cache_control may be provided. Found 5.")
        let four =
            #"{"model":"m","max_tokens":1,"system":[\#(Array(repeating: block, count: 4).joined(separator: ","))],"messages":[{"role":"user","content":"x"}]}"#
        #expect(CacheRequests.refusal(four) == nil)
    }

    @Test func aTypeOtherThanEphemeralOrAnUnknownTTLIsRefused() {
        let badType =
            #"{"model":"m","max_tokens":1,"tools":[{"name":"t","input_schema":{},"cache_control":{"type":"persistent"}}],"messages":[{"role":"user","content":"x"}]}"#
        #expect(CacheRequests.refusal(badType) == "tools.0.cache_control.type: Input should be 'ephemeral'")
        let badTTL =
            #"{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"text","text":"x","cache_control":{"type":"ephemeral","ttl":"10m"}}]}]}"#
        #expect(CacheRequests.refusal(badTTL) == "messages.0.content.0.cache_control.ttl: Input should be '5m' or '1h'")
    }

    @Test func aOneHourBreakpointAfterAFiveMinuteOneIsRefused() {
        let body =
            #"{"model":"m","max_tokens":1,"system":[{"type":"text","text":"a","cache_control":{"type":"ephemeral"}},{"type":"text","text":"b","cache_control":{"type":"ephemeral","ttl":"1h"}}],"messages":[{"role":"user","content":"x"}]}"#
        #expect(
            CacheRequests.refusal(body)?.hasPrefix(
                "system.1.cache_control.ttl: a breakpoint with ttl '1h' cannot come after one with ttl '5m'") == true)
        let longFirst =
            #"{"model":"m","max_tokens":1,"system":[{"type":"text","text":"a","cache_control":{"type":"ephemeral","ttl":"1h"}},{"type":"text","text":"b","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"x"}]}"#
        #expect(CacheRequests.refusal(longFirst) == nil)
    }

    @Test func theKeyDependsOnTheModelAndWhereTheBlockSitsNotOnTheBreakpoint() {
        let onSystem = CacheRequests.prompt(CacheRequests.systemCached(systemCharacters: 100))
        let otherModel = CacheRequests.prompt(CacheRequests.systemCached(systemCharacters: 100), model: "claude-opus-4-1-20250805")
        #expect(onSystem.breakpoints[0].prefix.key != otherModel.breakpoints[0].prefix.key)
        // The same system block with the breakpoint on the question instead: its prefix at block 0 is the same.
        let onQuestion = CacheRequests.prompt(
            CacheRequests.parse(
                #"{"model":"m","max_tokens":1,"system":"\#(CacheRequests.text(100))","messages":[{"role":"user","content":[{"type":"text","text":"q","cache_control":{"type":"ephemeral"}}]}]}"#
            ))
        #expect(onQuestion.candidates.last == onSystem.breakpoints[0].prefix)
        // The same text as a user message is another prefix.
        let asMessage = CacheRequests.prompt(
            CacheRequests.parse(
                #"{"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"text","text":"\#(CacheRequests.text(100))","cache_control":{"type":"ephemeral"}}]}]}"#
            ))
        #expect(asMessage.breakpoints[0].prefix.key != onSystem.breakpoints[0].prefix.key)
    }
}
