extension RequestRunner {
    /// The answer `record`'s output line shows: ``run(_:)``'s, and for a JSON request cut at
    /// `max_tokens`, those of the same request with `max_tokens` raised (``StructuredChain``),
    /// each a request of its own, sent only when the store does not hold its answer yet.
    func runFollowingRaises(_ record: RequestRecord) async throws -> StoredAnswer {
        guard record.asksForJSON else { return try await run(record) }
        var chain = StructuredChain(record: record, cap: options.defaults.maxTokensCap)
        var answer = try await jsonKeys.run(record.key) { try await run(record) }
        while case .next(let raised) = chain.take(answer) {
            answer = try await jsonKeys.run(raised.key) { try await run(raised) }
        }
        return chain.presented
    }
}
