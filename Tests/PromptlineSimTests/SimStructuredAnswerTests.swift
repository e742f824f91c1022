import Foundation
import PromptlineJSON
import Testing

@testable import PromptlineSim

/// Structured outputs in the simulator: schema-valid JSON answers, cuts, refusals, refused schemas.
@Suite struct SimStructuredAnswerTests {
    static let schema =
        #"{"type":"object","properties":{"label":{"type":"string","enum":["spam","ham","other"]},"score":{"type":"number"},"count":{"type":"integer"},"ok":{"type":"boolean"},"tags":{"type":"array","items":{"type":"string"}},"reason":{"type":"string"}},"required":["label","score","count","ok","tags","reason"],"additionalProperties":false}"#

    static func body(_ text: String, maxTokens: Int = 200, schema: String = schema, field: String = "output_config") -> String {
        let format = #"{"type":"json_schema","schema":\#(schema)}"#
        let config = field == "output_config" ? #"{"format":\#(format)}"# : format
        return
            #"{"model":"claude-haiku-4-5","max_tokens":\#(maxTokens),"messages":[{"role":"user","content":"\#(text)"}],"\#(field)":\#(config)}"#
    }

    private func message(_ result: HTTPResult) -> (text: String, stopReason: String?, json: [String: Any]) {
        let json = result.json ?? [:]
        let text = ((json["content"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
        return (text, json["stop_reason"] as? String, json)
    }

    @Test func aStructuredRequestIsAnsweredWithJSONValidUnderItsSchemaTheSameEachTime() async throws {
        try await withSimulator { client async throws in
            let first = message(try await client.message(Self.body("label this: buy now")))
            let again = message(try await client.message(Self.body("label this: buy now")))
            #expect(first.stopReason == "end_turn")
            #expect(first.text == again.text)
            let value = try #require(try JSONSerialization.jsonObject(with: Data(first.text.utf8)) as? [String: Any])
            #expect(["spam", "ham", "other"].contains(value["label"] as? String ?? ""))
            #expect(value["score"] is NSNumber)
            #expect(value["count"] is NSNumber)
            #expect(value["ok"] is Bool)
            #expect((value["tags"] as? [String])?.isEmpty == false)
            #expect((value["reason"] as? String)?.contains("label this") == true)
            #expect(Set(value.keys) == ["label", "score", "count", "ok", "tags", "reason"])
            let beta = message(try await client.message(Self.body("label this: buy now", field: "output_format")))
            #expect((try? JSONSerialization.jsonObject(with: Data(beta.text.utf8))) != nil)
        }
    }

    @Test func aStructuredAnswerIsCutAtMaxTokens() async throws {
        try await withSimulator { client async throws in
            let cut = message(try await client.message(Self.body("label this", maxTokens: 5)))
            #expect(cut.stopReason == "max_tokens")
            #expect(cut.text.utf8.count <= 20)
            #expect((try? JSONSerialization.jsonObject(with: Data(cut.text.utf8))) == nil)
            #expect((cut.json["usage"] as? [String: Any])?["output_tokens"] as? Int == 5)
        }
    }

    @Test func theRefusalTriggerAnswersARefusalWithStopDetails() async throws {
        try await withSimulator { client async throws in
            let refused = message(try await client.message(Self.body("label this [[sim:refusal]]")))
            #expect(refused.stopReason == "refusal")
            let details = try #require(refused.json["stop_details"] as? [String: Any])
            #expect(details["type"] as? String == "refusal")
            #expect(details.keys.contains("category"))
            #expect(details["explanation"] is String)
            let plain = message(try await client.message(messageBody("no schema [[sim:refusal]]")))
            #expect(plain.stopReason == "refusal")
            let normal = message(try await client.message(messageBody("no schema")))
            #expect(normal.json["stop_details"] == nil)
        }
    }

    @Test(arguments: [
        (
            #"{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}"#,
            "output_config.format.schema: For 'object' type, 'additionalProperties' must be explicitly set to false"
        ),
        (
            #"{"type":"object","properties":{"a":{"type":"integer","minimum":1}},"required":["a"],"additionalProperties":false}"#,
            "output_config.format.schema: For 'integer' type, property 'minimum' is not supported"
        ),
        (#"{"type":"array","items":{"type":"string"}}"#, "output_config.format.schema: the root schema must have type 'object'"),
    ])
    func aSchemaTheAPIRefusesIsA400(schema: String, message: String) async throws {
        try await withSimulator { client async throws in
            let result = try await client.message(Self.body("x", schema: schema))
            #expect(result.status == 400)
            let error = result.json?["error"] as? [String: Any]
            #expect(error?["type"] as? String == "invalid_request_error")
            #expect(error?["message"] as? String == message)
        }
    }

    @Test func tooManyOptionalOrUnionTypedParametersAreTooComplex() {
        let optional = (0..<25).map { #""p\#($0)":{"type":"string"}"# }.joined(separator: ",")
        let tooOptional = JSONValue.requestBody(Array(#"{"type":"object","properties":{\#(optional)},"additionalProperties":false}"#.utf8))!
        #expect(SimStructuredAnswer.problem(in: tooOptional)?.hasPrefix("Schema is too complex: 25 optional parameters") == true)
        let unions = (0..<17).map { #""p\#($0)":{"type":["string","null"]}"# }.joined(separator: ",")
        let names = (0..<17).map { #""p\#($0)""# }.joined(separator: ",")
        let tooUnion = JSONValue.requestBody(
            Array(#"{"type":"object","properties":{\#(unions)},"required":[\#(names)],"additionalProperties":false}"#.utf8))!
        #expect(SimStructuredAnswer.problem(in: tooUnion)?.hasPrefix("Schema is too complex: 17 parameters") == true)
    }

    @Test func insideABatchTheSameRulesApply() async throws {
        try await withSimulator(SimBatchesTests.configuration(SimBatchScenario(processingMs: 0))) { client async throws in
            let bad = Self.body("x", schema: #"{"type":"object","properties":{}}"#)
            let created = try await SimBatchesTests.create(
                client,
                [
                    ("good", Self.body("label me")), ("cut", Self.body("label me", maxTokens: 3)),
                    ("refused", Self.body("[[sim:refusal]]")),
                    ("bad", bad),
                ])
            let id = try #require(created.json?["id"] as? String)
            _ = try await client.send("GET", "v1/messages/batches/\(id)", headers: SimBatchesTests.headers)
            let lines = try await SimBatchesTests.results(client, id)
            let byID = Dictionary(
                uniqueKeysWithValues: lines.map { ($0["custom_id"] as? String ?? "", $0["result"] as? [String: Any] ?? [:]) })
            let stop = { (id: String) in (byID[id]?["message"] as? [String: Any])?["stop_reason"] as? String }
            #expect(stop("good") == "end_turn")
            #expect(stop("cut") == "max_tokens")
            #expect(stop("refused") == "refusal")
            #expect(((byID["bad"]?["error"] as? [String: Any])?["error"] as? [String: Any])?["type"] as? String == "invalid_request_error")
        }
    }
}
