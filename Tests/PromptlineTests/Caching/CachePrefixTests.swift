import PromptlineJSON
import Testing

@testable import Promptline

@Suite struct CachePrefixTests {
    static let longText = String(repeating: "You label support tickets by topic and urgency. ", count: 120)

    static func params(system: JSONValue? = .string(longText), messages: [JSONValue]? = nil, extra: [String: JSONValue] = [:]) -> JSONValue
    {
        var body: [String: JSONValue] = [
            "model": .string("claude-sonnet-4-5"), "max_tokens": .number(64),
            "messages": .array(messages ?? [.object(["role": .string("user"), "content": .string("ticket 1")])]),
        ]
        if let system { body["system"] = system }
        body.merge(extra) { _, new in new }
        return .object(body)
    }

    static func record(_ params: JSONValue) -> RequestRecord {
        RequestRecord(
            customID: "r", key: RequestKey(body: params), model: params["model"]?.stringValue ?? "", params: params,
            body: Canonicalizer.canonicalBytes(params), file: "in.jsonl", line: 1)
    }

    @Test func aLongSystemPromptIsOneLevelTheSameForRecordsThatShareIt() throws {
        let first = try #require(CachePrefix(params: Self.params(), minimumTokens: 1024))
        let second = try #require(
            CachePrefix(
                params: Self.params(messages: [.object(["role": .string("user"), "content": .string("other ticket")])]), minimumTokens: 1024
            ))
        #expect(first.levels.count == 1)
        #expect(first.levels[0].anchor == .system)
        #expect(first.levels[0].id == second.levels[0].id)
        #expect(first.levels[0].tokens >= 1024)
    }

    @Test func aPrefixShorterThanTheMinimumGetsNoLevel() {
        #expect(CachePrefix(params: Self.params(system: .string("Be brief.")), minimumTokens: 1024) == nil)
        #expect(CachePrefix(params: Self.params(), minimumTokens: 100_000) == nil)
    }

    @Test func fewShotTurnsBeforeTheLastMessageAreASecondLevel() throws {
        let turns: [JSONValue] = [
            .object(["role": .string("user"), "content": .string(Self.longText)]),
            .object(["role": .string("assistant"), "content": .string("billing, low")]),
            .object(["role": .string("user"), "content": .string("ticket 9")]),
        ]
        let prefix = try #require(CachePrefix(params: Self.params(messages: turns), minimumTokens: 1024))
        #expect(prefix.levels.map(\.anchor) == [.system, .message(1)])
        #expect(prefix.levels[1].tokens > prefix.levels[0].tokens)
    }

    @Test func toolsWithoutASystemPromptAreMarkedOnTheLastTool() throws {
        let tool = JSONValue.object([
            "name": .string("label"), "description": .string(Self.longText), "input_schema": .object(["type": .string("object")]),
        ])
        let prefix = try #require(CachePrefix(params: Self.params(system: nil, extra: ["tools": .array([tool])]), minimumTokens: 1024))
        #expect(prefix.levels.map(\.anchor) == [.lastTool])
    }

    @Test func markingAStringSystemPromptMakesItOneTextBlockWithTheBreakpoint() throws {
        let marked = CachePrefix.marking(Self.params(), at: [.system], control: CacheLifetime.fiveMinutes.control)
        let blocks = try #require(marked["system"]?.arrayValue)
        #expect(blocks.count == 1)
        #expect(blocks[0]["text"]?.stringValue == Self.longText)
        #expect(blocks[0]["cache_control"] == .object(["type": .string("ephemeral")]))
        let hour = CachePrefix.marking(Self.params(), at: [.message(0)], control: CacheLifetime.oneHour.control)
        let content = try #require(hour["messages"]?.arrayValue?.first?["content"]?.arrayValue)
        #expect(content.last?["cache_control"] == .object(["type": .string("ephemeral"), "ttl": .string("1h")]))
    }

    @Test func aRecordThatSetsCacheControlItselfIsLeftAsWritten() {
        let own = Self.params(
            system: .array([
                .object(["type": .string("text"), "text": .string(Self.longText), "cache_control": .object(["type": .string("ephemeral")])])
            ]))
        #expect(CachePrefix.automatic(in: Self.record(own), mode: .auto) == nil)
        let topLevel = Self.params(extra: ["cache_control": .object(["type": .string("ephemeral")])])
        #expect(CachePrefix.automatic(in: Self.record(topLevel), mode: .auto) == nil)
        // A prompt that merely mentions the name is not the user's breakpoint.
        let mention = Self.params(system: .string(Self.longText + #" "cache_control": {}"#))
        #expect(CachePrefix.automatic(in: Self.record(mention), mode: .auto) != nil)
        #expect(CachePrefix.automatic(in: Self.record(Self.params()), mode: .off) == nil)
    }

    @Test func aModelWithoutAKnownMinimumGetsNoBreakpoint() {
        var body = Self.params().objectValue!
        body["model"] = .string("claude-unknown-9")
        #expect(CachePrefix.automatic(in: Self.record(.object(body)), mode: .auto) == nil)
        #expect(CacheMinimum.tokens(for: "claude-haiku-4-5-20251001") == 4096)
        #expect(CacheMinimum.tokens(for: "claude-sonnet-4-5") == 1024)
    }

    @Test func theBreakpointDoesNotEnterTheKey() {
        let record = Self.record(Self.params())
        let sent = record.body(for: record.model, marking: [.system], lifetime: .fiveMinutes)
        #expect(sent != record.body)
        #expect(CachePrefix.hasCacheControl(sent))
        #expect(record.key == RequestKey(body: Self.params()))
    }
}
