import Testing

@testable import Promptline

@Suite("TemporarySet")
struct TemporarySetTests {
    @Test func aValueIsNewOnlyTheFirstTimeAcrossCommits() throws {
        let set = try TemporarySet()
        #expect(try set.insert("r1"))
        #expect(try set.insert("r2"))
        #expect(try !set.insert("r1"))
        try set.commit()
        #expect(try !set.insert("r2"))
        #expect(try set.insert("R1"), "exact: case matters")
        try set.commit()
        #expect(try set.count() == 3)
    }

    @Test func manyValuesStayExactBeyondItsMemoryCache() throws {
        let set = try TemporarySet(cacheKiB: 64)
        for index in 0..<50_000 { #expect(try set.insert("custom-\(index)")) }
        try set.commit()
        for index in stride(from: 0, to: 50_000, by: 997) { #expect(try !set.insert("custom-\(index)")) }
        try set.commit()
        #expect(try set.count() == 50_000)
    }
}
