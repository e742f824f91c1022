import Foundation
import Testing

@testable import Promptline

@Suite struct SchemaCheckerTests {
    private func problem(_ json: String) -> String? {
        SchemaChecker.problem(in: try! JSONLineDecoder().decode(Array(json.utf8)))?.description
    }

    static let labels =
        #"{"type":"object","properties":{"label":{"type":"string","enum":["spam","ham"]},"score":{"type":"number"},"reason":{"type":"string"}},"required":["label","score","reason"],"additionalProperties":false}"#

    @Test func aThreeFieldObjectSchemaIsAccepted() {
        #expect(problem(Self.labels) == nil)
    }

    @Test func theRootMustBeAnObjectSchema() {
        #expect(problem(#"{"type":"array","items":{"type":"string"}}"#) == "the root schema must have type 'object'")
        #expect(problem(#"[1]"#) == "the schema must be a JSON object")
    }

    @Test func everyObjectNeedsAdditionalPropertiesFalseAndTheProblemSaysWhere() {
        #expect(
            problem(#"{"type":"object","properties":{}}"#) == "For 'object' type, 'additionalProperties' must be explicitly set to false")
        let nested =
            #"{"type":"object","properties":{"address":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},"required":["address"],"additionalProperties":false}"#
        #expect(problem(nested) == "For 'object' type, 'additionalProperties' must be explicitly set to false (at /properties/address)")
        #expect(
            problem(#"{"type":"object","properties":{},"additionalProperties":true}"#)?.contains("other than false is not supported")
                == true)
    }

    @Test(arguments: ["minimum", "maximum", "multipleOf", "minLength", "maxLength", "maxItems"])
    func valueConstraintsAreRefused(keyword: String) {
        let schema =
            #"{"type":"object","properties":{"x":{"type":"integer","\#(keyword)":3}},"required":["x"],"additionalProperties":false}"#
        #expect(problem(schema) == "For 'integer' type, property '\(keyword)' is not supported (at /properties/x)")
    }

    @Test func minItemsOnlyZeroOrOne() {
        func schema(_ n: Int) -> String {
            #"{"type":"object","properties":{"tags":{"type":"array","items":{"type":"string"},"minItems":\#(n)}},"required":["tags"],"additionalProperties":false}"#
        }
        #expect(problem(schema(1)) == nil)
        #expect(problem(schema(2))?.hasPrefix("For 'array' type, 'minItems' values other than 0 or 1 are not supported") == true)
    }

    @Test func referencesMustBeInternalAndNotRecursive() {
        let local =
            ##"{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},"required":["a"],"additionalProperties":false,"$defs":{"A":{"type":"string"}}}"##
        #expect(problem(local) == nil)
        let external =
            #"{"type":"object","properties":{"a":{"$ref":"https://example.com/a.json"}},"required":["a"],"additionalProperties":false}"#
        #expect(problem(external)?.hasPrefix("only internal references") == true)
        let recursive =
            ##"{"type":"object","properties":{"n":{"$ref":"#/$defs/N"}},"required":["n"],"additionalProperties":false,"$defs":{"N":{"type":"object","properties":{"next":{"$ref":"#/$defs/N"}},"required":[],"additionalProperties":false}}}"##
        #expect(problem(recursive)?.hasPrefix("recursive schemas are not supported") == true)
    }

    @Test func moreThanSixteenUnionTypedParametersAreTooComplex() {
        func schema(_ count: Int) -> String {
            let properties = (0..<count).map { #""p\#($0)":{"type":["string","null"]}"# }.joined(separator: ",")
            let names = (0..<count).map { #""p\#($0)""# }.joined(separator: ",")
            return #"{"type":"object","properties":{\#(properties)},"required":[\#(names)],"additionalProperties":false}"#
        }
        #expect(problem(schema(16)) == nil)
        #expect(problem(schema(17))?.hasPrefix("Schema is too complex: 17 parameters have union types") == true)
    }

    @Test func moreThanTwentyFourOptionalParametersAreTooComplex() {
        func schema(_ count: Int) -> String {
            let properties = (0..<count).map { #""p\#($0)":{"type":"string"}"# }.joined(separator: ",")
            return #"{"type":"object","properties":{\#(properties)},"additionalProperties":false}"#
        }
        #expect(problem(schema(24)) == nil)
        #expect(problem(schema(25))?.hasPrefix("Schema is too complex: 25 optional parameters") == true)
    }

    @Test func loadingNamesTheFileAndTheFault() throws {
        let directory = NSTemporaryDirectory() + "schema-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let good = directory + "/good.json"
        try Data((Self.labels + "\n").utf8).write(to: URL(fileURLWithPath: good))
        #expect(try OutputSchema.load(path: good).format["type"] == .string("json_schema"))
        let bad = directory + "/bad.json"
        try Data(#"{"type":"object",}"#.utf8).write(to: URL(fileURLWithPath: bad))
        #expect(throws: OutputSchemaError.self) { try OutputSchema.load(path: bad) }
        do {
            _ = try OutputSchema.load(path: bad)
        } catch {
            #expect(error.code == .invalidJSON)
            #expect(error.description.hasPrefix("--output-schema \(bad): invalid JSON"))
        }
        do {
            _ = try OutputSchema.load(path: directory + "/missing.json")
        } catch {
            #expect(error.code == .unreadable)
        }
    }
}
