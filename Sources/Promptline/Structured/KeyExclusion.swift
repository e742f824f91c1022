import Synchronization

/// One request at a time per key in this process, for JSON requests: the in-order window sends a
/// repeated key once, but a raised request (``StructuredChain``) may have the key of another
/// record's request (the same request asked with that `max_tokens`), and the store's lease does
/// not stop its own owner. The second waits for the first, then finds its answer in the store.
final class KeyExclusion: Sendable {
    private let waiting = Mutex<[RequestKey: [CheckedContinuation<Void, Never>]]>([:])

    /// Runs `body` once no other task of this process runs it for `key`.
    func run<Value>(_ key: RequestKey, _ body: () async throws -> Value) async throws -> Value {
        await acquire(key)
        defer { release(key) }
        return try await body()
    }

    private func acquire(_ key: RequestKey) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let free = waiting.withLock { waiting in
                guard waiting[key] != nil else {
                    waiting[key] = []
                    return true
                }
                waiting[key]!.append(continuation)
                return false
            }
            if free { continuation.resume() }
        }
    }

    /// Hands the key to the first waiter, if any.
    private func release(_ key: RequestKey) {
        let next = waiting.withLock { waiting -> CheckedContinuation<Void, Never>? in
            guard var queue = waiting[key], !queue.isEmpty else {
                waiting.removeValue(forKey: key)
                return nil
            }
            let first = queue.removeFirst()
            waiting[key] = queue
            return first
        }
        next?.resume()
    }
}
