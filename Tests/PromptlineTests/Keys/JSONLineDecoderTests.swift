import PromptlineJSON
import Testing

@testable import Promptline

/// The parser itself is tested in PromptlineJSONTests; here, what the client asks of it.
@Suite("JSONLineDecoder")
struct JSONLineDecoderTests {
    let decoder = JSONLineDecoder()

    @Test func decodesASliceOfALine() throws {
        let bytes = Array("xx[1]yy".utf8)
        #expect(try self.decoder.decode(bytes[2..<5]) == .array([.number(1)]))
    }

    @Test func anInputLineThatRepeatsAMemberNameIsInvalid() {
        let line = Array(#"{"id":"a","prompt":"x","id":"b"}"#.utf8)
        #expect(throws: InvalidJSONError.self) { try self.decoder.decode(line) }
        #expect(throws: InvalidJSONError.self) { try self.decoder.decode(line[...]) }
    }
}
