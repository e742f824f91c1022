import Foundation
import Testing

@testable import PromptlineJSON

@Suite("Canonicalizer (RFC 8785)")
struct CanonicalizerTests {
    /// The RFC 8785 reference vectors, copied with their licence note (`JCSVectors/SOURCE.md`) from
    /// `shared/testdata/jcs`, found from this file's path.
    static let vectorsDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // PromptlineJSONTests
        .appendingPathComponent("JCSVectors")

    static let vectorNames: [String] = {
        let inputs = Self.vectorsDirectory.appendingPathComponent("input")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: inputs.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    @Test func theReferenceVectorsArePresent() {
        #expect(Self.vectorNames.count >= 6, "no vectors in \(Self.vectorsDirectory.path)")
    }

    @Test(arguments: Self.vectorNames)
    func reproducesTheReferenceVectorByteForByte(name: String) throws {
        let input = try Data(contentsOf: Self.vectorsDirectory.appendingPathComponent("input/\(name)"))
        let expected = try Data(contentsOf: Self.vectorsDirectory.appendingPathComponent("output/\(name)"))
        let value = try JSONParser.parse(Array(input))
        let canonical = Canonicalizer.canonicalBytes(value)
        #expect(
            canonical == Array(expected),
            "got \(String(decoding: canonical, as: UTF8.self))")
    }

    @Test(arguments: [
        ("1", "1"),
        ("1.0", "1"),
        ("1E2", "100"),
        ("-0", "0"),
        ("-0.0", "0"),
        ("1e21", "1e+21"),
        ("1e20", "100000000000000000000"),
        ("123456789012345680000", "123456789012345680000"),
        ("1e-7", "1e-7"),
        ("1e-6", "0.000001"),
        ("0.000001234", "0.000001234"),
        ("0.30000000000000004", "0.30000000000000004"),
        ("9007199254740993", "9007199254740992"),
        ("-9007199254740993", "-9007199254740992"),
        ("333333333.33333329", "333333333.3333333"),
        ("1E30", "1e+30"),
        ("-1.5E-30", "-1.5e-30"),
        ("5e-324", "5e-324"),
        ("1.7976931348623157e308", "1.7976931348623157e+308"),
        ("4.50", "4.5"),
        ("2e-3", "0.002"),
        ("0.000000000000000000000000001", "1e-27"),
        ("-12.75", "-12.75"),
        ("1e16", "10000000000000000"),
        ("295147905179352830000", "295147905179352830000"),
    ])
    func spellsNumbersAsECMAScriptDoes(input: String, expected: String) throws {
        let value = try JSONParser.parse(Array(input.utf8))
        #expect(String(decoding: Canonicalizer.canonicalBytes(value), as: UTF8.self) == expected)
    }

    @Test(arguments: [
        ("\"\\u0041\"", "\"A\""),
        ("\"a\\/b\"", "\"a/b\""),
        ("\"\\b\\t\\n\\f\\r\"", "\"\\b\\t\\n\\f\\r\""),
        ("\"\\u0000\\u001f\\u000B\"", "\"\\u0000\\u001f\\u000b\""),
        ("\"\\\"\\\\\"", "\"\\\"\\\\\""),
        ("\"\\u007f\\u00e9\\u20ac\"", "\"\u{7f}é€\""),
        ("\"\\ud83d\\ude02\"", "\"😂\""),
    ])
    func escapesStringsMinimally(input: String, expected: String) throws {
        let value = try JSONParser.parse(Array(input.utf8))
        #expect(String(decoding: Canonicalizer.canonicalBytes(value), as: UTF8.self) == expected)
    }

    @Test func sortsMemberNamesByUTF16CodeUnitsNotByScalars() {
        // U+FB33 sorts before U+1F602 by scalar value but after it by UTF-16 code units.
        let value = JSONValue.object(["\u{FB33}": .number(1), "\u{1F602}": .number(2), "b": .null, "a": .null])
        #expect(String(decoding: Canonicalizer.canonicalBytes(value), as: UTF8.self) == "{\"a\":null,\"b\":null,\"😂\":2,\"דּ\":1}")
    }

    @Test func writesNestedContainersWithoutWhiteSpace() {
        let value = JSONValue.array([.object([:]), .array([]), .bool(true), .bool(false), .null, .string("")])
        #expect(String(decoding: Canonicalizer.canonicalBytes(value), as: UTF8.self) == "[{},[],true,false,null,\"\"]")
    }
}
