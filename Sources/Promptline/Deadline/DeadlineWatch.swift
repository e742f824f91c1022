/// A batches job's watch over its deadline: the plan, which batch is the probe, what was canceled,
/// and what the batches left for Messages. Owned by the batch phase's polling loop; the I/O
/// (cancels, the store) is the loop's.
struct DeadlineWatch: Sendable {
    /// Requests in the probe batch (fewer when the job is smaller): enough to measure the pace to
    /// a few percent, few enough that what it leaves for Messages costs little.
    static let probeRequests = 50

    let deadline: Deadline
    var plan: DeadlinePlan
    /// The probe batch (promptline's local id), once created.
    var probe: String?
    /// When the probe's cancel was sent.
    var probeCanceledAt: Double?
    /// Batches whose cancel the API took.
    var canceled: Set<String> = []
    /// When the job switched to Messages (this run), or whether an earlier run did.
    var switchedAt: Double?
    var switched: Bool
    /// Records the batches ended without answering (canceled, expired, errored): for Messages.
    var leftovers = 0
    /// The switch time last announced, and when.
    var announced: (switchAt: Double, at: Double)?

    init(deadline: Deadline, plan: DeadlinePlan, switched: Bool) {
        self.deadline = deadline
        self.plan = plan
        self.switched = switched
    }

    /// What the summary says of the deadline's batch phase.
    var report: DeadlineReport {
        DeadlineReport(
            deadline: deadline.description, pacePerMinute: plan.pace.map { $0 * 60 }, switchedToMessages: switched,
            switchedAfterSeconds: switchedAt.map { $0 - plan.start }, batchesCanceled: canceled.count, leftForMessages: leftovers)
    }

    /// Takes in a batch that ended: its leftovers, and the probe's measure of the pace.
    mutating func ended(_ batch: BatchRecord, counts: BatchesClient.Batch.Counts, now: Double) {
        leftovers += counts.canceled + counts.expired + counts.errored
        guard batch.localID == probe, plan.pace == nil else { return }
        let finished = counts.succeeded + counts.errored
        if let canceledAt = probeCanceledAt {
            plan.measured(finished: finished, of: batch.requestCount, elapsed: canceledAt - batch.intentAt, overhead: now - canceledAt)
        } else {
            // It ended on its own: all of it by now (a pace at least this fast).
            plan.measured(
                finished: batch.requestCount, of: batch.requestCount, elapsed: now - batch.intentAt, overhead: plan.switchOverhead)
        }
    }
}
