import Foundation
import Testing

@testable import Promptline

@Suite("Store durability and dry-run dedupe")
struct StoreDurabilityTests {
    private func temporaryStore() throws -> Store {
        try Store(path: NSTemporaryDirectory() + "promptline-store-" + UUID().uuidString + "/s.db")
    }

    @Test func aStoreCommitsWithNormalSynchronousUntilMadeDurable() async throws {
        let store = try temporaryStore()
        #expect(try await store.synchronousLevel() == 1)
        try await store.makeDurable()
        #expect(try await store.synchronousLevel() == 2)
    }

    @Test func firstSightingsAreExactAcrossBatches() async throws {
        let store = try temporaryStore()
        #expect(try await store.firstSightings(["a", "b", "a"]) == [true, true, false])
        #expect(try await store.firstSightings(["b", "c"]) == [false, true])
        #expect(try await store.firstSightings([]) == [])
    }
}
