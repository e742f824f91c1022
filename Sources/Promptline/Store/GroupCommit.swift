import Synchronization

/// The store's writes waiting for their transaction: claims and answers that arrive while a
/// transaction is being committed go together into the next one (group commit).
///
/// A caller's write is done only when the transaction holding it has committed, so every
/// guarantee of one transaction per write stays (an intent is committed before its request is
/// sent, an answer before its record counts as done), while a busy job pays one `BEGIN`/`COMMIT`,
/// one lock round and one write of each touched page for many records instead of one each.
final class GroupCommit: Sendable {
    /// One write a caller waits on.
    enum Write: Sendable {
        case claim(key: RequestKey, model: String, messagesKey: String, retryErrored: Bool)
        case complete(key: RequestKey, answer: StoredAnswer)
    }

    /// What a write came to.
    enum Outcome: Sendable {
        case claimed(ClaimOutcome)
        case completed(StoredAnswer)

        var claimOutcome: ClaimOutcome {
            guard case .claimed(let outcome) = self else { preconditionFailure("a claim answered as a completion") }
            return outcome
        }

        var storedAnswer: StoredAnswer {
            guard case .completed(let answer) = self else { preconditionFailure("a completion answered as a claim") }
            return answer
        }
    }

    typealias Waiter = CheckedContinuation<Result<Outcome, StoreError>, Never>

    private struct State {
        var pending: [(Write, Waiter)] = []
        /// True while a commit is scheduled on the store's queue and has not yet taken the pending writes.
        var scheduled = false
        /// Write transactions committed, and writes they held (for the summary's figures).
        var transactions = 0
        var writes = 0
    }

    /// Most writes one transaction holds; more wait for the next.
    static let maximumGroup = 512

    private let state = Mutex(State())

    init() {}

    /// Queues `write`; returns true when the caller must schedule a commit (none is scheduled yet).
    func enqueue(_ write: Write, waiter: Waiter) -> Bool {
        state.withLock { state in
            state.pending.append((write, waiter))
            guard !state.scheduled else { return false }
            state.scheduled = true
            return true
        }
    }

    /// Takes up to ``maximumGroup`` pending writes for one transaction. The scheduled flag stays
    /// set when more are left, so the caller schedules the next commit itself.
    func take() -> (writes: [(Write, Waiter)], more: Bool) {
        state.withLock { state in
            let count = min(state.pending.count, Self.maximumGroup)
            let taken = Array(state.pending.prefix(count))
            state.pending.removeFirst(count)
            let more = !state.pending.isEmpty
            if !more { state.scheduled = false }
            return (taken, more)
        }
    }

    /// Counts one committed transaction holding `writes` writes.
    func committed(writes: Int) {
        state.withLock { state in
            state.transactions += 1
            state.writes += writes
        }
    }

    /// Writes waiting for a transaction now.
    var pendingCount: Int { state.withLock { $0.pending.count } }

    /// Write transactions committed for claims and answers, and the writes they held.
    var figures: (transactions: Int, writes: Int) {
        state.withLock { ($0.transactions, $0.writes) }
    }
}
