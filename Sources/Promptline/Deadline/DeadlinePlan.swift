/// When a deadline job stops waiting for its batches and sends the rest through Messages: a
/// pure plan in wall-clock seconds (``WallClock``: batches and the deadline are on the calendar),
/// the spot-versus-on-demand choice of "Can't Be Late" (NSDI 2024): stay on the cheap capacity,
/// switch to the dear one at the latest moment that still meets the deadline with a margin.
///
/// A batch's progress cannot be seen while it runs (its `request_counts` stay `processing` until
/// it ends), so it is measured: the job's first batch is a small *probe*, canceled after a quarter
/// of the time; the share of its requests that had finished gives the batches' pace, assumed
/// steady from each batch's creation. Until then the plan assumes no progress, and it switches
/// at once when the probe finished nothing (a batch that does not move). The switch time is the
/// latest `s` with `s + switchOverhead + messages(remaining(s)) + margin <= deadline`, where
/// `switchOverhead` is what a cancel takes to end a batch and bring its results in (measured on
/// the probe).
struct DeadlinePlan: Sendable {
    /// One batch still running.
    struct OpenBatch: Sendable, Equatable {
        var createdAt: Double
        var requests: Int
    }

    /// What to do now.
    enum Decision: Sendable, Equatable {
        /// Keep polling; look again at `until` at the latest.
        case wait(until: Double)
        /// Cancel the probe batch now and measure it.
        case probe
        /// Cancel every open batch now and send what they did not answer through Messages.
        case switchNow
    }

    /// When the job started and the deadline, on the job's clock.
    let start: Double
    let deadline: Double
    /// Slack kept before the deadline: 5 % of the time given, at least 5 s.
    let margin: Double
    /// When the probe is canceled: a quarter of the time given.
    let probeAt: Double
    var capacity: MessagesCapacity
    /// Seconds from a cancel to the batch's results in the store (measured on the probe).
    var switchOverhead: Double
    /// Share of a batch's requests finished per second since its creation; nil until measured.
    private(set) var pace: Double?

    init(start: Double, deadline: Double, capacity: MessagesCapacity, pollInterval: Double) {
        self.start = start
        self.deadline = deadline
        let span = max(0, deadline - start)
        self.margin = max(5, span * 0.05)
        self.probeAt = start + span / 4
        self.capacity = capacity
        self.switchOverhead = 2 * pollInterval + 2
    }

    /// Takes in the probe: `finished` of its `requests` had finished `elapsed` seconds after its
    /// creation, and its cancel took `overhead` seconds to bring the results in.
    mutating func measured(finished: Int, of requests: Int, elapsed: Double, overhead: Double) {
        pace = requests > 0 && elapsed > 0 ? Double(finished) / Double(requests) / elapsed : 0
        switchOverhead = overhead
    }

    /// Records of `batches` not yet answered at `time` at the measured pace (none measured: all).
    func remaining(at time: Double, of batches: [OpenBatch]) -> Int {
        batches.reduce(0) { total, batch in
            let done = min(1, (pace ?? 0) * max(0, time - batch.createdAt))
            return total + Int((Double(batch.requests) * (1 - done)).rounded(.up))
        }
    }

    /// When to switch, at or after `now`: the latest moment from which Messages still finishes by
    /// the deadline less the margin, with `leftovers` records already waiting for Messages; when no
    /// moment does (the deadline cannot be kept with its margin), the moment that finishes
    /// soonest. `feasible` says which.
    func switchTime(now: Double, batches: [OpenBatch], leftovers: Int) -> (time: Double, feasible: Bool) {
        let step = max(0.25, (deadline - now) / 400)
        var soonest = (time: now, finish: Double.infinity)
        var time = max(now, deadline - margin - switchOverhead)
        while true {
            let finish = time + switchOverhead + capacity.seconds(records: remaining(at: time, of: batches) + leftovers)
            if finish + margin <= deadline { return (time, true) }
            if finish <= soonest.finish { soonest = (time, finish) }
            if time <= now { return (soonest.time, false) }
            time = max(now, time - step)
        }
    }

    /// The decision at `now` for the open batches; `probeOpen` while the probe batch still runs.
    func decide(now: Double, batches: [OpenBatch], leftovers: Int, probeOpen: Bool) -> Decision {
        if let pace, pace == 0 { return .switchNow }
        let plan = switchTime(now: now, batches: batches, leftovers: leftovers)
        if probeOpen, pace == nil {
            // Before the probe the plan knows no pace: a switch the worst case (no progress) allows
            // comes first; when none would meet the deadline, the probe is the only way to learn more.
            if plan.feasible, plan.time < probeAt { return plan.time <= now ? .switchNow : .wait(until: plan.time) }
            return now >= probeAt ? .probe : .wait(until: probeAt)
        }
        return plan.time <= now ? .switchNow : .wait(until: plan.time)
    }
}
