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

    /// Commits the pending writes in one transaction, then resumes their callers. When the group's
    /// transaction fails, each write is tried alone, so one write's error (a full disk fails them
    /// all anyway) does not fail the others.
    private func commitPending() {
        let (group, more) = writes.take()
        if more { scheduleCommit() }
        guard !group.isEmpty else { return }
        let now = self.now()
        var outcomes: [GroupCommit.Outcome] = []
        outcomes.reserveCapacity(group.count)
        do {
            try db.transaction { () throws(StoreError) in
                for (write, _) in group { outcomes.append(try perform(write, now: now)) }
            }
            writes.committed(writes: group.count)
            for (index, (_, waiter)) in group.enumerated() { waiter.resume(returning: .success(outcomes[index])) }
        } catch {
            for (write, waiter) in group {
                do {
                    let outcome = try db.transaction { () throws(StoreError) in try perform(write, now: now) }
                    writes.committed(writes: 1)
                    waiter.resume(returning: .success(outcome))
                } catch {
                    waiter.resume(returning: .failure(error))
                }
            }
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
