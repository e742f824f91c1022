extension Store {
    /// The answers this store holds for the valid records of `batch` whose key `isWanted` accepts,
    /// by key (the one batch → store lookup of the job, the dry run and the export). Errored
    /// answers are left out unless `includeErrored`.
    nonisolated func answers(
        to batch: [ParsedRecord], includeErrored: Bool = true, where isWanted: (RequestKey) -> Bool = { _ in true }
    ) async throws -> [RequestKey: StoredAnswer] {
        try await [self].answers(to: batch, includeErrored: includeErrored, where: isWanted)
    }
}

extension [Store] {
    /// The answers these stores (one per shard) hold for the valid records of `batch` whose key
    /// `isWanted` accepts, by key: each store is asked only for what the ones before it lack.
    func answers(
        to batch: [ParsedRecord], includeErrored: Bool = true, where isWanted: (RequestKey) -> Bool = { _ in true }
    ) async throws -> [RequestKey: StoredAnswer] {
        var keys: [RequestKey] = []
        for case .valid(let record) in batch where isWanted(record.key) { keys.append(record.key) }
        var found: [RequestKey: StoredAnswer] = [:]
        for (index, store) in enumerated() {
            let missing = index == 0 ? keys : keys.filter { found[$0] == nil }
            if missing.isEmpty { break }
            found.merge(try await store.answers(for: missing, includeErrored: includeErrored)) { first, _ in first }
        }
        return found
    }
}
