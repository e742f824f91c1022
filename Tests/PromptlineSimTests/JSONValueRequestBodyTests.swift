import PromptlineJSON
import Testing

@testable import PromptlineSim

/// The simulator reads a request body with the client's parser: as strict as the API (it refuses
/// what is not JSON), but a repeated member name keeps the last rather than being refused.
@Suite struct JSONValueRequestBodyTests {
    @Test(arguments: [
        #"{"a":1,}"#, #"[1,]"#, #"{"a" 1}"#, #"{'a':1}"#, #""\x""#, "\"tab\tinside\"", #""\ud800""#, #"01"#, #"1."#,
        #"-"#, #"tru"#, #"{"a":1} x"#, "", #"[1"#, #"{"a":"#,
    ])
    func itRefusesWhatIsNotJSON(text: String) {
        #expect(JSONValue.requestBody(Array(text.utf8)) == nil)
    }

    @Test func invalidUTF8IsRefused() {
        #expect(JSONValue.requestBody([0x22, 0xFF, 0x22]) == nil)
    }

    @Test func aRepeatedMemberNameKeepsTheLast() throws {
        let body = try #require(JSONValue.requestBody(Array(#"{"max_tokens":5,"model":"m","max_tokens":7}"#.utf8)))
        #expect(body["max_tokens"]?.intValue == 7)
    }
}
