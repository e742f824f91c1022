import Foundation
import Testing

@testable import PromptlineJSON

@Suite("JSONParser")
struct JSONParserTests {
    @Test func decodesEveryKindOfValue() throws {
        let value = try JSONParser.parse(Array(#"{"n":null,"b":true,"x":-1.5,"s":"é","a":[1,"2"],"o":{}}"#.utf8))
        #expect(
            value
                == .object([
                    "n": .null, "b": .bool(true), "x": .number(-1.5), "s": .string("é"),
                    "a": .array([.number(1), .string("2")]), "o": .object([:]),
                ]))
        #expect(value["s"]?.stringValue == "é")
        #expect(value["x"]?.doubleValue == -1.5)
        #expect(value["a"]?.arrayValue?.count == 2)
        #expect(value["o"]?.objectValue == [:])
        #expect(value["b"]?.boolValue == true)
        #expect(value["n"]?.isNull == true)
        #expect(value["missing"] == nil)
    }

    @Test(arguments: [
        #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi \u00e9 \ud83d\ude00 \"q\""}],"temperature":0.5,"x":[true,false,-1.5e3]}"#,
        #"  [1, 2.0, "a\nb", {}, [], null]  "#,
        #"{"big":123456789012345678901234567890,"neg":-0,"e":1E2}"#,
    ])
    func readsWhatJSONDecoderReads(text: String) throws {
        #expect(try JSONParser.parse(Array(text.utf8)) == (try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))))
    }

    @Test func aWholeNumberInAnySpellingIsAnInt() throws {
        let value = try JSONParser.parse(Array(#"[2, 2.0, 2E0, 2.5, 1e300, "2"]"#.utf8))
        #expect(value.arrayValue?.map(\.intValue) == [2, 2, 2, nil, nil, nil])
    }

    @Test(arguments: [
        (#"{"a": 1, x}"#, "invalid JSON: unexpected character 'x' where a member name was expected at byte 9"),
        (#"{"a":tru}"#, "invalid JSON: unexpected character '}' at byte 8"),
        (#"{"a":1} x"#, "invalid JSON: unexpected character 'x' after the JSON value at byte 8"),
        (#"[1,2,]"#, "invalid JSON: unexpected character ']' at byte 5"),
        (#"{"a":1,}"#, "invalid JSON: unexpected character '}' where a member name was expected at byte 7"),
        (#"{"a":[1]"#, "invalid JSON: unexpected end of line at byte 8"),
        (#""abc"#, "invalid JSON: unterminated string at byte 0"),
        (#"[01]"#, "invalid JSON: unexpected character '1' where ',' or ']' was expected at byte 2"),
        (#"[1.]"#, "invalid JSON: unexpected character ']' in a number at byte 3"),
        (#"["\q"]"#, "invalid JSON: invalid escape sequence at byte 2"),
        (#"["\ud800"]"#, "invalid JSON: unpaired surrogate escape at byte 2"),
        (#"["\udc00"]"#, "invalid JSON: unpaired surrogate escape at byte 2"),
        ("[\"a\tb\"]", "invalid JSON: unescaped control character 0x09 in a string at byte 3"),
        (#"{'a':1}"#, "invalid JSON: unexpected character ''' where a member name was expected at byte 1"),
        (#"[NaN]"#, "invalid JSON: unexpected character 'N' at byte 1"),
        (#"[1e400]"#, "invalid JSON: number 1e400 is out of the range of a double at byte 1"),
        (#"[-1e-400]"#, "invalid JSON: number -1e-400 is out of the range of a double at byte 1"),
        ("", "invalid JSON: unexpected end of line at byte 0"),
        (#"{"a":1,"b":2,"a":3}"#, #"invalid JSON: member name "a" repeated at byte 13"#),
        (#"[1] // c"#, "invalid JSON: unexpected character '/' after the JSON value at byte 4"),
    ])
    func rejectsInvalidJSONNamingTheByte(line: String, message: String) {
        #expect(throws: InvalidJSONError.self) { try JSONParser.parse(Array(line.utf8)) }
        do {
            _ = try JSONParser.parse(Array(line.utf8))
        } catch {
            #expect(error.code == .invalidJSON)
            #expect(error.description == message)
        }
    }

    @Test(
        arguments: [
            ([0x22, 0x61, 0xFF, 0x22], 2),
            ([0x22, 0x61, 0xC3, 0x22], 2),
            ([0x22, 0xC0, 0x80, 0x22], 1),
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),
            ([0x5B, 0xFE, 0x5D], 1),
        ] as [([UInt8], Int)])
    func rejectsInvalidUTF8NamingTheByte(line: [UInt8], offset: Int) {
        do {
            _ = try JSONParser.parse(line)
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.code == .invalidUTF8)
            #expect(error.byteOffset == offset)
            #expect(error.description.hasPrefix("invalid UTF-8: malformed sequence starting with 0x"))
        }
    }

    @Test func decodesEscapesIntoTheCharactersTheyStandFor() throws {
        let value = try JSONParser.parse(Array(#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u20ac\ud83d\ude02", "x\u0000y"]"#.utf8))
        #expect(value == .array([.string("a\"b\\c/d\u{8}\u{c}\n\r\t"), .string("é€😂"), .string("x\u{0}y")]))
    }

    @Test func rejectsNestingDeeperThanFoundationAccepts() {
        let line = Array((String(repeating: "[", count: 513) + String(repeating: "]", count: 513)).utf8)
        #expect(throws: InvalidJSONError.self) { try JSONParser.parse(line) }
        let accepted = Array((String(repeating: "[", count: 512) + String(repeating: "]", count: 512)).utf8)
        #expect(throws: Never.self) { try JSONParser.parse(accepted) }
    }

    @Test func aRepeatedNameIsAFaultUnlessTheLastIsToWin() throws {
        let text = Array(#"{"a":1,"b":{"c":2,"c":3},"a":4}"#.utf8)
        #expect(throws: InvalidJSONError.self) { try JSONParser.parse(text) }
        #expect(
            try JSONParser.parse(text, repeatedNames: .lastWins)
                == .object(["a": .number(4), "b": .object(["c": .number(3)])]))
    }

    @Test func encodesBackToEquivalentJSON() throws {
        let value = try JSONParser.parse(Array(#"{"a":[1,true,null,"x",{"b":2.5}]}"#.utf8))
        let encoded = try JSONEncoder().encode(value)
        #expect(try JSONParser.parse(Array(encoded)) == value)
    }
}
