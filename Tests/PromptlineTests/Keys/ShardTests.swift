import Testing

@testable import Promptline

@Suite struct ShardTests {
    @Test(arguments: ["0/1", "0/4", "3/4"])
    func validSpecificationsParse(text: String) {
        #expect(Shard(text)?.description == text)
    }

    @Test(arguments: ["4/4", "-1/4", "1/0", "1", "a/b", "1/2/3"])
    func invalidSpecificationsAreRefused(text: String) {
        #expect(Shard(text) == nil)
    }

    @Test func everyKeyFallsInExactlyOneShard() {
        let shards = (0..<3).map { Shard("\($0)/3")! }
        for index in 0..<300 {
            let key = RequestKey(canonicalBytes: Array("record \(index)".utf8))
            #expect(shards.filter { $0.contains(key: key) }.count == 1)
        }
        // A record's own idempotency key spreads too.
        #expect(shards.filter { $0.contains(key: "sample-7") }.count == 1)
    }

    @Test func keysSpreadOverTheShards() {
        let shard = Shard("0/2")!
        let inShard = (0..<1000).filter { shard.contains(key: RequestKey(canonicalBytes: Array("r\($0)".utf8))) }.count
        #expect(inShard > 400 && inShard < 600)
    }
}
