import Synchronization

/// Automatic prompt caching for one job (`--prompt-cache auto`), shared by every request task
/// behind one lock: which records get breakpoints (``CachePrefix``), and who primes a prefix
/// while the others wait (``PrimingState``).
///
/// A request's way through it: ``prefix(of:)`` once per record (nil: the record is sent as
/// written), ``note(_:)`` when the record is claimed, ``admit(_:model:stopGate:)`` before
/// each attempt (it may wait for a primer's answer), then exactly one of
/// ``answered(_:tokens:)`` or ``abandoned(_:)`` with the ``Ticket`` it gave.
final class PromptCache: Sendable {
    /// One attempt's part in the cache: the breakpoints to send and what to report afterwards.
    struct Ticket: Sendable {
        /// The blocks that get a breakpoint (none: send as written).
        let anchors: [CachePrefix.Anchor]
        /// Request-body bytes the cache is expected to serve: taken off the input-token charge.
        let expectedReadBytes: Int
        fileprivate let keys: [PrimingState.Key]
        fileprivate let primes: Bool

        /// A ticket for a request sent as written.
        static let plain = Ticket(anchors: [], expectedReadBytes: 0, keys: [], primes: false)
    }

    private struct Waiter {
        let key: PrimingState.Key
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var priming: PrimingState
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiter: UInt64 = 0
    }

    let mode: PromptCacheMode
    /// The lifetime breakpoints ask for: five minutes for the Messages API, an hour for batches.
    let lifetime: CacheLifetime
    private let state: Mutex<State>
    /// The job's clock.
    private let clock: JobClock

    /// - Parameter primeWait: the longest a request waits for the answer of the request priming its prefix.
    init(
        mode: PromptCacheMode, lifetime: CacheLifetime = .fiveMinutes, primeWait: Duration = .seconds(15),
        clock: JobClock
    ) {
        self.mode = mode
        self.lifetime = lifetime
        self.state = Mutex(State(priming: PrimingState(lifetime: lifetime, primeWait: primeWait)))
        self.clock = clock
    }

    /// The prefix promptline may mark in `record`, nil when it leaves the record as written:
    /// caching is off, the model's minimum cacheable length is unknown or not reached, or the
    /// record sets `cache_control` itself (the user's choice wins).
    func prefix(of record: RequestRecord) -> CachePrefix? {
        CachePrefix.automatic(in: record, mode: mode)
    }

    /// Counts a claimed record with this prefix: a prefix gets a breakpoint once it recurs.
    func note(_ prefix: CachePrefix) {
        state.withLock { $0.priming.note(prefix.levels.map(\.id)) }
    }

    /// The breakpoints for one attempt on `model`; waits (at most the prime wait) while another
    /// request primes the prefix. Throws `CancellationError` when the job stops meanwhile.
    func admit(_ prefix: CachePrefix, model: String, stopGate: StopGate) async throws -> Ticket {
        let keys = Self.keys(prefix, model: model)
        while true {
            let admission = state.withLock { $0.priming.admit(keys, now: clock.now) }
            switch admission {
            case .plain:
                return .plain
            case .prime(let levels):
                return Ticket(
                    anchors: levels.map { prefix.levels[$0].anchor }, expectedReadBytes: 0, keys: levels.map { keys[$0] }, primes: true)
            case .read(let levels, let expectRead):
                return Ticket(
                    anchors: levels.map { prefix.levels[$0].anchor },
                    expectedReadBytes: expectRead ? prefix.levels[levels.last!].bytes : 0, keys: levels.map { keys[$0] }, primes: false)
            case .wait(let key, let generation, let until):
                try await stopGate.guarding { [self] in await wait(for: key, generation: generation, until: until) }
            }
        }
    }

    /// An answer to a request sent with `ticket`: its cache writes and reads teach the prefix's state.
    func answered(_ ticket: Ticket, tokens: TokenCount) {
        guard !ticket.keys.isEmpty else { return }
        let now = clock.now
        wake(state.withLock { $0.priming.answered(ticket.keys, written: tokens.cacheCreation, read: tokens.cacheRead, now: now) })
    }

    /// A request sent (or about to be) with `ticket` that got no answer: a primer's role passes on.
    func abandoned(_ ticket: Ticket) {
        guard !ticket.keys.isEmpty else { return }
        wake(state.withLock { $0.priming.abandoned(ticket.keys, primed: ticket.primes) })
    }

    /// Requests waiting now for the answer of the request priming their prefix.
    var waitingForPrimer: Int { state.withLock { $0.waiters.count } }

    private static func keys(_ prefix: CachePrefix, model: String) -> [PrimingState.Key] {
        prefix.levels.map { PrimingState.Key(model: model, prefix: $0.id) }
    }

    /// Returns when `key`'s generation is no longer `generation`, at `until`, or when the task is cancelled.
    private func wait(for key: PrimingState.Key, generation: Int, until: JobClock.Instant) async {
        let clock = self.clock
        let delay = until - clock.now
        guard delay > .zero else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await clock.sleep(for: delay) }
            group.addTask { await self.signal(key, generation: generation) }
            await group.next()
            group.cancelAll()
        }
    }

    private func signal(_ key: PrimingState.Key, generation: Int) async {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if Task.isCancelled || state.priming.generation(of: key) != generation { return true }
                    state.waiters[id] = Waiter(key: key, continuation: continuation)
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
        }
    }

    private func wake(_ keys: [PrimingState.Key]) {
        guard !keys.isEmpty else { return }
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            let ids = state.waiters.filter { keys.contains($0.value.key) }.map(\.key)
            return ids.compactMap { state.waiters.removeValue(forKey: $0)?.continuation }
        }
        for continuation in woken { continuation.resume() }
    }
}
