import Testing

@testable import Promptline

@Suite struct PromptCacheTests {
    static func cache() -> PromptCache {
        // A clock whose sleeps never end by themselves: only the primer's answer (or a stop) ends the wait.
        PromptCache(mode: .auto, primeWait: .seconds(3600), clock: JobClock(StopGateTests.NeverClock()))
    }

    static let prefix = CachePrefix(params: CachePrefixTests.params(), minimumTokens: 1024)!

    @Test func aRequestWaitsForThePrimersAnswerThenReadsWithTheBreakpoint() async throws {
        let cache = Self.cache()
        let gate = StopGate()
        cache.note(Self.prefix)
        cache.note(Self.prefix)
        let primer = try await cache.admit(Self.prefix, model: "claude-sonnet-4-5", stopGate: gate)
        #expect(primer.anchors == [.system])
        try await withThrowingTaskGroup(of: PromptCache.Ticket.self) { group in
            group.addTask { try await cache.admit(Self.prefix, model: "claude-sonnet-4-5", stopGate: gate) }
            while cache.waitingForPrimer == 0 { await Task.yield() }
            cache.answered(primer, tokens: TokenCount(input: 10, cacheCreation: 6000))
            let reader = try #require(try await group.next())
            #expect(reader.anchors == [.system])
            #expect(reader.expectedReadBytes == 0, "no read seen yet: the input-token charge stays whole")
        }
        let reader = try await cache.admit(Self.prefix, model: "claude-sonnet-4-5", stopGate: gate)
        cache.answered(reader, tokens: TokenCount(input: 10, cacheRead: 6000))
        let next = try await cache.admit(Self.prefix, model: "claude-sonnet-4-5", stopGate: gate)
        #expect(next.expectedReadBytes == Self.prefix.levels[0].bytes)
    }

    @Test func aPrimerWithoutAnAnswerHandsTheRoleToAWaiter() async throws {
        let cache = Self.cache()
        let gate = StopGate()
        cache.note(Self.prefix)
        cache.note(Self.prefix)
        let primer = try await cache.admit(Self.prefix, model: "claude-sonnet-4-5", stopGate: gate)
        try await withThrowingTaskGroup(of: PromptCache.Ticket.self) { group in
            group.addTask { try await cache.admit(Self.prefix, model: "claude-sonnet-4-5", stopGate: gate) }
            while cache.waitingForPrimer == 0 { await Task.yield() }
            cache.abandoned(primer)
            let next = try #require(try await group.next())
            #expect(next.anchors == [.system], "the waiter primes in its place")
        }
    }

    @Test func aStoppingJobEndsTheWaitForAPrimer() async throws {
        let cache = Self.cache()
        let gate = StopGate()
        cache.note(Self.prefix)
        cache.note(Self.prefix)
        _ = try await cache.admit(Self.prefix, model: "claude-sonnet-4-5", stopGate: gate)
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await cache.admit(Self.prefix, model: "claude-sonnet-4-5", stopGate: gate) }
            while cache.waitingForPrimer == 0 { await Task.yield() }
            gate.stop()
            await #expect(throws: CancellationError.self) { try await group.next() }
        }
    }

    @Test func offSendsEveryRecordAsWritten() {
        let cache = PromptCache(mode: .off, clock: TestTime().clock)
        #expect(cache.prefix(of: CachePrefixTests.record(CachePrefixTests.params())) == nil)
    }
}
