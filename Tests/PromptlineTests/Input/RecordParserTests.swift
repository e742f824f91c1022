import PromptlineJSON
import Testing

@testable import Promptline

@Suite struct RecordParserTests {
    private let parser = RecordParser(defaults: RecordDefaults(model: "claude-haiku-4-5", maxTokens: 100, system: nil, temperature: nil))

    private func parse(_ text: String, line: Int = 7, parser: RecordParser? = nil) -> ParsedRecord {
        (parser ?? self.parser).parse(InputLine(file: "in.jsonl", number: line, bytes: Array(text.utf8), tooLong: nil))
    }

    private func valid(_ text: String, parser: RecordParser? = nil) -> RequestRecord? {
        if case .valid(let record) = parse(text, parser: parser) { return record }
        return nil
    }

    private func invalidMessage(_ text: String) -> String? {
        if case .invalid(let invalid) = parse(text) { return invalid.description }
        return nil
    }

    @Test func theThreeShapesOfTheSameRequestShareOneKey() {
        let batch = valid(
            #"{"custom_id":"a","params":{"model":"claude-haiku-4-5","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}}"#)
        let simple = valid(#"{"id":"b","prompt":"hi"}"#)
        let bare = valid(#"{"messages":[{"role":"user","content":"hi"}]}"#)
        #expect(batch?.key != nil)
        #expect(batch?.key == simple?.key)
        #expect(simple?.key == bare?.key)
        #expect(bare?.customID == "line-7")
        #expect(batch?.key.rawValue.hasPrefix("sha256:") == true)
    }

    @Test func keysIgnoreKeyOrderWhiteSpaceNumberSpellingAndEscapes() {
        let a = valid(#"{"id":"x","prompt":"A","max_tokens":100,"temperature":1}"#)
        let b = valid(#"{ "temperature" : 1.0E0 , "prompt" : "\u0041" , "max_tokens": 1E2, "id":"x" }"#)
        #expect(a?.key == b?.key)
    }

    @Test func theRecordsOwnValuesWinOverDefaults() {
        let record = valid(#"{"id":"x","prompt":"p","model":"claude-opus-4-1","max_tokens":5}"#)
        #expect(record?.model == "claude-opus-4-1")
        #expect(record?.params["max_tokens"] == .number(5))
    }

    @Test func simpleAndBareShapesTakeSystemAndTemperatureDefaultsButBatchShapeDoesNot() {
        let withDefaults = RecordParser(defaults: RecordDefaults(model: "m", maxTokens: 10, system: "be brief", temperature: 0.3))
        let simple = valid(#"{"id":"x","prompt":"p"}"#, parser: withDefaults)
        #expect(simple?.params["system"] == .string("be brief"))
        #expect(simple?.params["temperature"] == .number(0.3))
        let batch = valid(#"{"custom_id":"y","params":{"messages":[{"role":"user","content":"p"}]}}"#, parser: withDefaults)
        #expect(batch?.params["system"] == nil)
        #expect(batch?.params["model"] == .string("m"))
        #expect(batch?.params["max_tokens"] == .number(10))
    }

    @Test func streamIsDroppedAndAnIdempotencyKeyOverridesTheHash() {
        let streamed = valid(#"{"id":"x","prompt":"p","stream":true}"#)
        let plain = valid(#"{"id":"x","prompt":"p"}"#)
        #expect(streamed?.key == plain?.key)
        let sample = valid(#"{"id":"x","prompt":"p","idempotency_key":"sample-2"}"#)
        #expect(sample?.key == RequestKey(text: "sample-2"))
        #expect(sample?.params["idempotency_key"] == nil)
    }

    @Test func theMessagesKeyIgnoresParametersButNotMessagesOrSystem() {
        let cool = valid(#"{"id":"x","prompt":"p","temperature":0.1,"max_tokens":5}"#)!
        let warm = valid(#"{"id":"x","prompt":"p","temperature":0.9,"model":"claude-opus-4-1"}"#)!
        let briefed = valid(#"{"id":"x","prompt":"p","system":"be brief"}"#)!
        #expect(cool.key != warm.key)
        #expect(cool.messagesKey == warm.messagesKey)
        #expect(cool.messagesKey != briefed.messagesKey)
    }

    @Test func fallbackBodiesDifferOnlyInTheModel() {
        let record = valid(#"{"id":"x","prompt":"p"}"#)!
        #expect(record.body(for: record.model) == record.body)
        let other = String(decoding: record.body(for: "claude-sonnet-4-5"), as: UTF8.self)
        #expect(
            other == String(decoding: record.body, as: UTF8.self).replacingOccurrences(of: "claude-haiku-4-5", with: "claude-sonnet-4-5"))
    }

    @Test(arguments: [
        (#"{"id":"x","prompt":"p"#, "in.jsonl:7: invalid JSON"),
        (#"[1,2]"#, "in.jsonl:7: a record must be a JSON object"),
        (#"{"id":"x","prompt":5}"#, "in.jsonl:7: field prompt must be a string"),
        (#"{"custom_id":"x"}"#, "in.jsonl:7: field params must be an object"),
        (#"{"custom_id":7,"params":{}}"#, "in.jsonl:7: field custom_id must be a non-empty string"),
        (#"{"id":"x","prompt":"p","max_tokens":0}"#, "in.jsonl:7: field max_tokens must be a positive integer"),
        (#"{"id":"x","prompt":"p","max_tokens":1.5}"#, "in.jsonl:7: field max_tokens must be a positive integer"),
        (#"{"messages":[]}"#, "in.jsonl:7: field messages must be a non-empty array"),
        (#"{"messages":[{"content":"x"}]}"#, "in.jsonl:7: messages[0] must be an object with a string role"),
        (#"{"id":"x","prompt":"p","temperature":"hot"}"#, "in.jsonl:7: field temperature must be a number"),
        (#"{"hello":"world"}"#, "in.jsonl:7: unknown record shape"),
    ])
    func invalidLinesNameFileLineAndTheProblem(text: String, expected: String) {
        #expect(invalidMessage(text)?.hasPrefix(expected) == true, "\(invalidMessage(text) ?? "valid")")
    }

    @Test func aMissingModelSaysHowToGiveOne() {
        let noDefault = RecordParser(defaults: RecordDefaults())
        guard case .invalid(let invalid) = parse(#"{"id":"x","prompt":"p"}"#, parser: noDefault) else {
            Issue.record("a record without a model was accepted")
            return
        }
        #expect(invalid.message.contains("--model"))
        #expect(invalid.customID == "x")
    }

    @Test func anOverlongLineIsInvalidWithItsLength() {
        let line = InputLine(file: "in.jsonl", number: 3, bytes: [], tooLong: 2_000_000)
        guard case .invalid(let invalid) = parser.parse(line) else { Issue.record("accepted"); return }
        #expect(invalid.description == "in.jsonl:3: line is 2000000 bytes, longer than --max-line-bytes")
    }

    @Test(arguments: [
        #"{"id":"a","prompt":"hi"}"#,
        #"{"id":"a","prompt":"hi","system":"be brief","temperature":0.5}"#,
        #"{"custom_id":"b","params":{"model":"m","max_tokens":5,"system":[{"type":"text","text":"s\u00e9"}],"messages":[{"role":"user","content":"x"}]}}"#,
        #"{"messages":[{"role":"user","content":[{"type":"text","text":"q"}]}],"top_k":3}"#,
    ])
    func theMessagesKeyIsTheKeyOfTheMessagesAndSystemAlone(line: String) throws {
        let record = try #require(valid(line))
        guard case .object(let params) = record.params else { Issue.record("params not an object"); return }
        var messagesOnly: [String: JSONValue] = ["messages": try #require(params["messages"])]
        messagesOnly["system"] = params["system"]
        #expect(record.messagesKey == RequestKey(body: .object(messagesOnly)).rawValue)
        #expect(record.maxTokens == Int(params["max_tokens"]?.doubleValue ?? -1))
    }
}
