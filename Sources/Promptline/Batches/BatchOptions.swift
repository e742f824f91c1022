/// How `run --backend batches` sends requests (SPEC §8).
public struct BatchOptions: Sendable {
    /// Most requests per batch (`--batch-size`; the API takes 100,000 at most).
    public var batchSize = 100_000
    /// Largest create body (the API takes 256 MB at most).
    var maxBatchBytes = BatchBuilder.apiMaxBytes
    /// The time between polls of a batch (`--poll-interval`), before backoff.
    public var pollInterval = Duration.seconds(60)
    /// Batches a key may go through (expired, canceled, transient errors) before it is recorded errored.
    var maxRounds = 10
    /// Longest wait for a priming batch to end before the batch that reads its prefix is created
    /// anyway (hits inside that batch are then best effort).
    var primeWait = Duration.seconds(900)
    /// Least time a results download gets (create, list and retrieve get `--timeout`).
    var resultsTimeout = Duration.seconds(3600)
    /// Lines committed to the store per transaction while streaming results.
    var resultsPerTransaction = 2000
    /// How far a batch's `created_at` may precede its intent's time (clock skew) and still be adopted.
    var adoptionSkew = Duration.seconds(300)

    /// The defaults: batches as large as the API takes, polled every minute.
    public init() {}
}
