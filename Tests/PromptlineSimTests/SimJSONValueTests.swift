import Foundation
import Testing

@testable import PromptlineSim

/// The simulator's own JSON parser is as strict as the API (it refuses what is not JSON) and reads
/// what `JSONDecoder` reads.
@Suite struct SimJSONValueTests {
    @Test(arguments: [
        #"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi \u00e9 \ud83d\ude00 \"q\""}],"temperature":0.5,"stop":null,"x":[true,false,-1.5e3]}"#,
        #"  [1, 2.0, "a\nb", {}, []]  "#,
        #"{"big":123456789012345678901234567890,"neg":-0,"e":1E2}"#,
    ])
    func itReadsWhatJSONDecoderReads(text: String) throws {
        let parsed = try #require(SimJSONValue.parse(Array(text.utf8)))
        #expect(parsed == (try JSONDecoder().decode(SimJSONValue.self, from: Data(text.utf8))))
    }

    @Test(arguments: [
        #"{"a":1,}"#, #"[1,]"#, #"{"a" 1}"#, #"{'a':1}"#, #""\x""#, "\"tab\tinside\"", #""\ud800""#, #"01"#, #"1."#,
        #"-"#, #"tru"#, #"{"a":1} x"#, "", #"[1"#, #"{"a":"#,
    ])
    func itRefusesWhatIsNotJSON(text: String) {
        #expect(SimJSONValue.parse(Array(text.utf8)) == nil)
    }

    @Test func invalidUTF8IsRefused() {
        #expect(SimJSONValue.parse([0x22, 0xFF, 0x22]) == nil)
    }

    @Test func canonicalBytesSortKeysSoKeyOrderAndSpacingDoNotChangeTheFingerprint() throws {
        let one = try #require(SimJSONValue.parse(Array(#"{"b":[1,{"d":null,"c":"x"}],"a":"\u00e9"}"#.utf8)))
        let two = try #require(SimJSONValue.parse(Array(#" { "a" : "é" , "b" : [ 1 , { "c" : "x" , "d" : null } ] } "#.utf8)))
        #expect(String(decoding: one.canonicalBytes, as: UTF8.self) == #"{"a":"é","b":[1,{"c":"x","d":null}]}"#)
        #expect(one.canonicalBytes == two.canonicalBytes)
        #expect(
            SimulatedModel.fingerprint(of: one)
                == SimulatedModel.fingerprint(body: Array(#"{"a":"é","b":[1,{"c":"x","d":null}],"stream":false}"#.utf8)))
    }
}
