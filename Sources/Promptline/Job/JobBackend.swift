/// Which API answers a job's records (SPEC §8).
///
/// The backends are peers behind one small interface: each brings the job's pending keys to
/// answers in the store, under the job's ``StopPath``; the job (``JobRunner``) owns the input, the
/// ordered output, the end and the summary. The Messages backend answers a record when the output
/// reaches it (``RequestRunner``); the Batches backend answers every pending key first
/// (``BatchRunner``), so the output pass finds them in the store. A deadline job is both: what its
/// batches leave goes through Messages.
public enum JobBackend: Sendable {
    /// The Messages API: one request per record.
    case messages
    /// The Message Batches API, at half the price.
    case batches(BatchesClient, BatchOptions)
}
