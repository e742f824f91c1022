import Testing

@testable import Promptline

@Suite("RequestKey")
struct RequestKeyTests {
    private func key(_ json: String) throws -> RequestKey {
        RequestKey(body: try JSONLineDecoder().decode(Array(json.utf8)))
    }

    @Test func isSHA256OfTheCanonicalBytesInLowercaseHex() {
        // SHA-256("{}"), as `printf '{}' | sha256sum` prints it.
        let key = RequestKey(body: .object([:]))
        #expect(key.rawValue == "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
        #expect(key.description == key.rawValue)
    }

    @Test(arguments: [
        (
            #"{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"#,
            #"{ "messages" : [ { "content" : "hi", "role" : "user" } ], "max_tokens" : 10, "model" : "m" }"#
        ),
        (#"{"a":1,"b":2}"#, #"{"b":2,"a":1}"#),
        (#"{"a":1}"#, "\t{\"a\" :\r\n 1 }  "),
        (#"{"t":1.0}"#, #"{"t":1}"#),
        (#"{"n":1E2}"#, #"{"n":100}"#),
        (#"{"n":0.5}"#, #"{"n":5e-1}"#),
        (#"{"s":"\u0041"}"#, #"{"s":"A"}"#),
        (#"{"s":"\/"}"#, #"{"s":"/"}"#),
        (#"{"s":"\u00e9"}"#, #"{"s":"é"}"#),
    ])
    func isTheSameForTheSameValueHoweverItIsSpelled(first: String, second: String) throws {
        #expect(try self.key(first) == self.key(second))
    }

    @Test(arguments: [
        (#"{"a":1}"#, #"{"a":2}"#),
        (#"{"a":"1"}"#, #"{"a":1}"#),
        (#"{"s":"A"}"#, #"{"s":"a"}"#),
        (#"[1,2]"#, #"[2,1]"#),
    ])
    func differsForDifferentValues(first: String, second: String) throws {
        #expect(try self.key(first) != self.key(second))
    }

    @Test func readsBackFromItsRawValue() {
        let key = RequestKey(body: .string("x"))
        #expect(RequestKey(rawValue: key.rawValue) == key)
    }

    @Test func aDigestKeyShowsItsDigestAndARecordsOwnKeyNone() {
        let key = RequestKey(body: .string("x"))
        #expect(key.digestHex.map(String.init) == String(key.rawValue.dropFirst("sha256:".count)))
        #expect(RequestKey(text: key.rawValue) == key)
        let own = RequestKey(text: "my-key+max_tokens=64")
        #expect(own.rawValue == "my-key+max_tokens=64")
        #expect(own.digestHex == nil)
    }

    @Test(arguments: [
        "",
        "sha256:",
        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8",
        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a0",
        "sha256:44136FA355B3678A1146AD16F7E8649E94FB4FC21FE77E8310C060F61CAAFF8A",
        "sha512:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8g",
    ])
    func rejectsARawValueNotOfTheKeyForm(rawValue: String) {
        #expect(RequestKey(rawValue: rawValue) == nil)
    }

    @Test func shardIsTheDigestsFirstEightBytesBigEndianModuloTheCount() throws {
        let key = try #require(RequestKey(rawValue: "sha256:00000000000000ff" + String(repeating: "0", count: 48)))
        #expect(key.shard(of: 1) == 0)
        #expect(key.shard(of: 16) == 15)
        #expect(key.shard(of: 256) == 255)
        #expect(key.shard(of: 1000) == 255)
        let high = try #require(RequestKey(rawValue: "sha256:ffffffffffffffff" + String(repeating: "0", count: 48)))
        #expect(high.shard(of: 7) == Int(UInt64.max % 7))
    }

    @Test func shardsSplitManyKeysRoughlyEvenly() {
        var counts = [Int](repeating: 0, count: 4)
        for index in 0..<4000 {
            counts[RequestKey(body: .number(Double(index))).shard(of: 4)] += 1
        }
        #expect(counts.allSatisfy { $0 > 800 && $0 < 1200 }, "\(counts)")
    }
}
