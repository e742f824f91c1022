import Testing

@testable import Promptline

/// The user's own columns (SPEC §2, §5): only Messages API fields are sent and hashed; the rest
/// come back unchanged as the output line's `metadata`.
@Suite struct RecordParserColumnsTests {
    private let parser = RecordParser(defaults: RecordDefaults(model: "claude-haiku-4-5", maxTokens: 100))

    private func valid(_ text: String) -> RequestRecord? {
        if case .valid(let record) = parser.parse(InputLine(file: "in.jsonl", number: 3, bytes: Array(text.utf8), tooLong: nil)) {
            return record
        }
        return nil
    }

    private func metadata(_ record: RequestRecord?) -> String? {
        record?.metadata.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func simpleShapeColumnsAreNotSentNorHashedButKeptAsMetadata() throws {
        let plain = try #require(valid(#"{"id":"r1","prompt":"hi"}"#))
        let withColumns = try #require(valid(#"{"id":"r1","prompt":"hi","category":"b","row":17,"tags":["x",{"y":null}]}"#))
        #expect(withColumns.key == plain.key)
        #expect(withColumns.body == plain.body)
        #expect(withColumns.params["category"] == nil)
        #expect(metadata(withColumns) == #"{"category":"b","row":17,"tags":["x",{"y":null}]}"#)
        #expect(plain.metadata == nil)
    }

    @Test func everyMessagesAPIFieldOfASimpleRecordIsSent() throws {
        let record = try #require(
            valid(
                #"{"id":"r","prompt":"hi","top_k":5,"stop_sequences":["x"],"metadata":{"user_id":"u"},"service_tier":"auto","inference_geo":"us","note":"mine"}"#
            ))
        for field in ["top_k", "stop_sequences", "metadata", "service_tier", "inference_geo"] {
            #expect(record.params[field] != nil, "field \(field) must be sent")
        }
        #expect(metadata(record) == #"{"note":"mine"}"#)
        #expect(MessagesAPIFields.sent.count == 20)
    }

    @Test func aBareBodysNonAPIFieldsAreMetadataAndStreamIsDroppedNotKept() throws {
        let record = try #require(valid(#"{"messages":[{"role":"user","content":"hi"}],"stream":true,"source":"crm","row":2}"#))
        let plain = try #require(valid(#"{"messages":[{"role":"user","content":"hi"}]}"#))
        #expect(record.key == plain.key)
        #expect(metadata(record) == #"{"row":2,"source":"crm"}"#)
    }

    @Test func batchesShapeParamsAreSentAsGivenAndFieldsBesideThemAreMetadata() throws {
        let record = try #require(
            valid(
                #"{"custom_id":"c1","batch":"2026-11","params":{"max_tokens":10,"messages":[{"role":"user","content":"hi"}],"top_p":0.5}}"#)
        )
        #expect(record.params["top_p"] == .number(0.5))
        #expect(metadata(record) == #"{"batch":"2026-11"}"#)
        let without = try #require(
            valid(#"{"custom_id":"c1","params":{"max_tokens":10,"messages":[{"role":"user","content":"hi"}],"top_p":0.5}}"#))
        #expect(record.key == without.key)
    }

    @Test func theIdempotencyKeyIsNeitherSentNorMetadata() throws {
        let record = try #require(valid(#"{"id":"r","prompt":"hi","idempotency_key":"k-2","row":1}"#))
        #expect(record.key == "k-2")
        #expect(metadata(record) == #"{"row":1}"#)
    }

    @Test func theOutputLineCarriesTheMetadataAfterServedBy() {
        let answer = StoredAnswer(
            state: .succeeded, result: Array(#"{"type":"succeeded"}"#.utf8), servedBy: Array("{}".utf8), tier: .primary,
            model: "m", errorType: nil, inputTokens: 1, outputTokens: 1, attempts: 1)
        let line = OutputLine.answered(customID: "r", key: "k", answer: answer, metadata: Array(#"{"row":17}"#.utf8))
        #expect(
            String(decoding: line, as: UTF8.self)
                == #"{"custom_id":"r","key":"k","result":{"type":"succeeded"},"served_by":{},"metadata":{"row":17}}"# + "\n")
        let bare = OutputLine.answered(customID: "r", key: "k", answer: answer)
        #expect(!String(decoding: bare, as: UTF8.self).contains("metadata"))
    }

    @Test func recordsSharingAKeyEachKeepTheirOwnMetadata() throws {
        let first = try #require(valid(#"{"id":"a","prompt":"same","row":1}"#))
        let second = try #require(valid(#"{"id":"b","prompt":"same","row":2}"#))
        var window = WindowState(skip: 0)
        #expect(window.admit(.valid(first), stored: [:]) == .send(first))
        #expect(window.admit(.valid(second), stored: [:]) == .none)
        var answer = StoredAnswer(
            state: .succeeded, result: Array("{}".utf8), servedBy: Array("{}".utf8), tier: .primary,
            model: "m", errorType: nil, inputTokens: 1, outputTokens: 1, attempts: 1)
        answer.stopReason = "max_tokens"
        window.answer(key: first.key, with: answer)
        let lines = window.takeReady().map { String(decoding: $0, as: UTF8.self) }
        #expect(lines.count == 2)
        #expect(lines[0].contains(#""custom_id":"a""#) && lines[0].contains(#""metadata":{"row":1}"#))
        #expect(lines[1].contains(#""custom_id":"b""#) && lines[1].contains(#""metadata":{"row":2}"#))
        #expect(window.stopReasons == ["max_tokens": 2])
    }
}
