extension Store {
    /// Queues `write` for the next group commit and waits until its transaction has committed.
    nonisolated func submit(_ write: GroupCommit.Write) async throws(StoreError) -> GroupCommit.Outcome {
        let result = await withCheckedContinuation { (waiter: GroupCommit.Waiter) in
            if writes.enqueue(write, waiter: waiter) { scheduleCommit() }
        }
        return try result.get()
    }

    /// Runs ``commitPending()`` on the store's serial queue, after the work already queued there
    /// (which is how writes gather: those arriving meanwhile join the group).
    private nonisolated func scheduleCommit() {
        executor.execute { [self] in
            self.assumeIsolated { store in store.commitPending() }
        }
    }

    /// Commits the pending writes in one transaction, then resumes their callers. A failed
    /// transaction (a full or read-only disk, a lock held past the busy timeout) fails every write
    /// in it: each caller gets the store's error, and nothing of the group was committed.
    private func commitPending() {
        let (group, more) = writes.take()
        if more { scheduleCommit() }
        guard !group.isEmpty else { return }
        let now = self.now()
        do {
            let outcomes = try db.transaction { () throws(StoreError) -> [GroupCommit.Outcome] in
                var outcomes: [GroupCommit.Outcome] = []
                outcomes.reserveCapacity(group.count)
                for (write, _) in group { outcomes.append(try perform(write, now: now)) }
                return outcomes
            }
            writes.committed(writes: group.count)
            for ((_, waiter), outcome) in zip(group, outcomes) { waiter.resume(returning: .success(outcome)) }
        } catch {
            for (_, waiter) in group { waiter.resume(returning: .failure(error)) }
        }
    }

    private func perform(_ write: GroupCommit.Write, now: Double) throws(StoreError) -> GroupCommit.Outcome {
        switch write {
        case .claim(let key, let model, let messagesKey, let retryErrored):
            .claimed(try claimRow(key, model: model, messagesKey: messagesKey, retryErrored: retryErrored, now: now))
        case .complete(let key, let answer):
            .completed(try completeRow(key, answer: answer, now: now))
        }
    }

    /// Write transactions committed for claims and answers in this process, and the writes they held.
    nonisolated var groupCommitFigures: (transactions: Int, writes: Int) { writes.figures }
}
