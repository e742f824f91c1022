import PromptlineJSON
import Testing

@testable import Promptline

/// The answer a JSON record's output line shows: `parsed`/`parse_error`, and the raised requests behind it.
@Suite struct StructuredChainTests {
    static func answer(text: String, stopReason: String, output: Int = 10) -> StoredAnswer {
        var message: [UInt8] = Array(#"{"content":[{"type":"text","text":"#.utf8)
        Canonicalizer.appendString(text, to: &message)
        message += Array(#"}],"stop_reason":"\#(stopReason)","usage":{"input_tokens":20,"output_tokens":\#(output)}}"#.utf8)
        return StoredAnswer(
            state: .succeeded, result: OutputLine.succeededResult(message: message),
            servedBy: OutputLine.servedBy(model: "claude-haiku-4-5", tier: .primary, attempts: 1, errors: []), tier: .primary,
            model: "claude-haiku-4-5", errorType: nil, inputTokens: 20, outputTokens: output, attempts: 1)
    }

    static let errored = StoredAnswer(
        state: .errored, result: OutputLine.erroredResult(RequestFailure(kind: .timeout, errorType: "timeout_error", message: "slow")),
        servedBy: OutputLine.servedBy(model: nil, tier: .none, attempts: 1, errors: ["timeout_error"]), tier: .none, model: nil,
        errorType: "timeout_error", inputTokens: 0, outputTokens: 0, attempts: 1)

    static func record(maxTokens: Int = 8, format: Bool = true) -> RequestRecord {
        let schema = format ? #","output_config":{"format":{"type":"json_schema","schema":{"type":"object"}}}"# : ""
        let line = #"{"id":"r1","prompt":"label this","model":"claude-haiku-4-5","max_tokens":\#(maxTokens)\#(schema)}"#
        guard
            case .valid(let record) = RecordParser(defaults: RecordDefaults()).parse(
                InputLine(file: "in.jsonl", number: 1, bytes: Array(line.utf8), tooLong: nil))
        else { preconditionFailure("valid") }
        return record
    }

    private func fields(_ answer: StoredAnswer) -> String { String(decoding: answer.structured?.fields ?? [], as: UTF8.self) }
    private func servedBy(_ answer: StoredAnswer) -> String { String(decoding: answer.servedBy, as: UTF8.self) }

    @Test func aWholeJSONAnswerIsParsedToCanonicalJSON() {
        let outcome = StructuredOutcome(of: Self.answer(text: #" {"score": 1.0, "label": "spam"} "#, stopReason: "end_turn"))
        #expect(outcome == .parsed(Array(#"{"label":"spam","score":1}"#.utf8)))
        #expect(String(decoding: outcome.lineFields, as: UTF8.self) == #","parsed":{"label":"spam","score":1}"#)
    }

    @Test func textBlocksAreJoinedBeforeParsing() {
        var answer = Self.answer(text: "", stopReason: "end_turn")
        answer.result = OutputLine.succeededResult(
            message: Array(
                #"{"content":[{"type":"text","text":"{\"a\":"},{"type":"thinking","thinking":"x"},{"type":"text","text":"[1,2]}"}],"stop_reason":"end_turn"}"#
                    .utf8))
        #expect(StructuredOutcome(of: answer) == .parsed(Array(#"{"a":[1,2]}"#.utf8)))
    }

    @Test func aRefusalACutAnswerAndNonJSONSayWhyThereIsNoParsedValue() {
        #expect(
            String(decoding: StructuredOutcome(of: Self.answer(text: "{}", stopReason: "refusal")).lineFields, as: UTF8.self)
                == #","parse_error":"refusal""#)
        #expect(
            String(decoding: StructuredOutcome(of: Self.answer(text: #"{"lab"#, stopReason: "max_tokens")).lineFields, as: UTF8.self)
                == #","parse_error":"max_tokens""#)
        let notJSON = StructuredOutcome(of: Self.answer(text: "Sure! {\"a\":1}", stopReason: "end_turn"))
        #expect(notJSON == .unparsable("the answer's text is not JSON: invalid JSON: unexpected character 'S' at byte 0"))
        #expect(StructuredOutcome(of: Self.errored) == .noAnswer)
        #expect(StructuredOutcome.noAnswer.lineFields.isEmpty)
    }

    @Test func aCutAnswerIsAskedAgainWithDoubledMaxTokensUnderANewKey() {
        let record = Self.record(maxTokens: 8)
        var chain = StructuredChain(record: record, cap: 16_384)
        guard case .next(let raised) = chain.take(Self.answer(text: #"{"la"#, stopReason: "max_tokens", output: 8)) else {
            Issue.record("a cut answer is raised")
            return
        }
        #expect(raised.maxTokens == 16)
        #expect(raised.key != record.key)
        #expect(raised.key == RequestKey(canonicalBytes: raised.body))
        #expect(raised.customID == record.customID)
        guard case .done = chain.take(Self.answer(text: #"{"label":"ham"}"#, stopReason: "end_turn", output: 12)) else {
            Issue.record("a whole answer ends the chain")
            return
        }
        let shown = chain.presented
        #expect(shown.structured?.kind == .madeWhole)
        #expect(fields(shown) == #","parsed":{"label":"ham"}"#)
        #expect(servedBy(shown).hasSuffix(#","errors":[],"max_tokens_raised":[8,16]}"#))
        #expect(shown.structured?.extraRequests == 1)
        #expect(shown.structured?.extraTokens == 32)
    }

    @Test func stillCutAtTheCapSaysMaxTokens() {
        var chain = StructuredChain(record: Self.record(maxTokens: 8), cap: 16)
        _ = chain.take(Self.answer(text: "{", stopReason: "max_tokens"))
        guard case .done = chain.take(Self.answer(text: "{\"", stopReason: "max_tokens")) else {
            Issue.record("the cap ends the chain")
            return
        }
        #expect(chain.presented.structured?.kind == .cut)
        #expect(fields(chain.presented) == #","parse_error":"max_tokens""#)
        #expect(servedBy(chain.presented).hasSuffix(#""max_tokens_raised":[8,16]}"#))
    }

    @Test func aRaisedRequestThatEndsErroredShowsTheCutAnswerBeforeIt() {
        var chain = StructuredChain(record: Self.record(maxTokens: 8), cap: 64)
        _ = chain.take(Self.answer(text: "{", stopReason: "max_tokens"))
        guard case .done = chain.take(Self.errored) else {
            Issue.record("an errored raise ends the chain")
            return
        }
        let shown = chain.presented
        #expect(shown.state == .succeeded)
        #expect(fields(shown) == #","parse_error":"max_tokens""#)
        #expect(!servedBy(shown).contains("max_tokens_raised"))
        #expect(shown.structured?.extraRequests == 1)
    }

    @Test func aRefusalIsNotRetried() {
        var chain = StructuredChain(record: Self.record(), cap: 64)
        guard case .done = chain.take(Self.answer(text: "no", stopReason: "refusal")) else {
            Issue.record("a refusal is final")
            return
        }
        #expect(chain.presented.structured?.kind == .refused)
    }

    @Test func presentingFromTheStoreFollowsRaisesAndLeavesIncompleteChainsToBeSent() async throws {
        let cut = Self.record(maxTokens: 8)
        let raised = cut.raisingMaxTokens(to: 16)
        let whole = Self.record(maxTokens: 64)
        let plain = Self.record(maxTokens: 8, format: false)
        let batch: [ParsedRecord] = [.valid(cut), .valid(whole), .valid(plain)]
        let plainAnswer = Self.answer(text: "hello", stopReason: "end_turn")
        var stored = [
            cut.key: Self.answer(text: "{", stopReason: "max_tokens"), whole.key: Self.answer(text: "{}", stopReason: "end_turn"),
            plain.key: plainAnswer,
        ]
        var incomplete = stored
        let raisedAnswer = Self.answer(text: "[]", stopReason: "end_turn")
        try await StructuredChain.present(batch, stored: &stored, cap: 64) { records in
            var found: [RequestKey: StoredAnswer] = [:]
            for case .valid(let record) in records where record.key == raised.key { found[record.key] = raisedAnswer }
            return found
        }
        #expect(stored[cut.key]?.structured?.kind == .madeWhole)
        #expect(stored[whole.key]?.structured?.kind == .parsed)
        #expect(stored[plain.key] == plainAnswer)
        try await StructuredChain.present(batch, stored: &incomplete, cap: 64) { _ in [:] }
        #expect(incomplete[cut.key] == nil)
        let next = try await StructuredChain.nextRequests(batch, cap: 64) { records in
            var found: [RequestKey: StoredAnswer] = [:]
            for case .valid(let record) in records where record.key == cut.key {
                found[record.key] = Self.answer(text: "{", stopReason: "max_tokens")
            }
            return found
        }
        guard case .valid(let first) = next[0] else { preconditionFailure("valid") }
        #expect(first.key == raised.key)
    }

    @Test func aRecordsOwnIdempotencyKeyGetsTheRaiseAppended() {
        let line =
            #"{"id":"r1","prompt":"p","model":"m","max_tokens":8,"idempotency_key":"sample-1","output_format":{"type":"json_schema","schema":{}}}"#
        guard
            case .valid(let record) = RecordParser(defaults: RecordDefaults()).parse(
                InputLine(file: "in.jsonl", number: 1, bytes: Array(line.utf8), tooLong: nil))
        else { preconditionFailure("valid") }
        #expect(record.asksForJSON)
        #expect(record.raisingMaxTokens(to: 16).key == "sample-1+max_tokens=16")
    }
}
