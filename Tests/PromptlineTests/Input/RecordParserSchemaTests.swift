import Testing

@testable import Promptline

/// `--output-schema` in the request and in the key (SPEC §3).
@Suite struct RecordParserSchemaTests {
    private let schema = try! OutputSchema(
        schema: JSONLineDecoder().decode(Array(SchemaCheckerTests.labels.utf8)), path: "labels.json")

    private func record(_ text: String, schema: OutputSchema?) -> RequestRecord? {
        let parser = RecordParser(defaults: RecordDefaults(model: "claude-haiku-4-5", outputSchema: schema))
        if case .valid(let record) = parser.parse(InputLine(file: "in.jsonl", number: 1, bytes: Array(text.utf8), tooLong: nil)) {
            return record
        }
        return nil
    }

    @Test func theSchemaIsSentAsOutputConfigFormatAndEntersTheKey() {
        let with = record(#"{"id":"a","prompt":"p"}"#, schema: schema)
        let without = record(#"{"id":"a","prompt":"p"}"#, schema: nil)
        #expect(with?.params["output_config"]?["format"] == schema.format)
        #expect(with?.asksForJSON == true)
        #expect(without?.asksForJSON == false)
        #expect(with?.key != without?.key)
    }

    @Test func aRecordsOwnFormatWinsAndItsOtherOutputConfigStays() {
        let own =
            #"{"custom_id":"a","params":{"messages":[{"role":"user","content":"p"}],"output_config":{"format":{"type":"json_schema","schema":{"type":"object","properties":{},"additionalProperties":false}}}}}"#
        #expect(record(own, schema: schema)?.key == record(own, schema: nil)?.key)
        let beta = #"{"id":"a","prompt":"p","output_format":{"type":"json_schema","schema":{}}}"#
        #expect(record(beta, schema: schema)?.params["output_config"] == nil)
        let effort = record(#"{"id":"a","prompt":"p","output_config":{"effort":"low"}}"#, schema: schema)
        #expect(effort?.params["output_config"]?["effort"] == .string("low"))
        #expect(effort?.params["output_config"]?["format"] == schema.format)
    }
}
