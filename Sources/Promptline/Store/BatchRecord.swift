/// One batch of the Message Batches backend as the store holds it.
struct BatchRecord: Sendable, Equatable {
    /// Where a batch stands.
    enum State: String, Sendable {
        /// Being built: requests are being added; nothing was sent.
        case building
        /// The intent is committed; the create was (maybe) sent, no id recorded yet.
        case intent
        /// Created: the API's id is recorded; being processed.
        case submitted
        /// Ended and its results streamed into the store.
        case collected
        /// The API no longer knows the id (or an intent found no batch): its keys were pending again.
        case gone
    }

    /// promptline's own id for the batch, known before the create is sent.
    var localID: String
    /// The API's `msgbatch_…` id, once recorded.
    var batchID: String?
    var state: State
    var requestCount: Int
    /// When the intent was committed (seconds since 1970).
    var intentAt: Double
    /// The process that committed the intent (`host/pid/nonce`).
    var owner: String
    /// The last `processing_status` seen, and the last `request_counts` (compact JSON).
    var processingStatus: String?
    var counts: String?
}

/// One request of a batch about to be created.
struct BatchEntry: Sendable, Equatable {
    var customID: String
    var key: RequestKey
    var model: String
    var messagesKey: String
}

/// One line of a batch's results, parsed and ready for the store.
struct BatchResultEntry: Sendable, Equatable {
    /// What became of the request.
    enum Outcome: Sendable, Equatable {
        /// `succeeded`: the message (raw JSON) and its usage, cache writes and reads included.
        case succeeded(message: [UInt8], model: String, tokens: TokenCount)
        /// `errored` with an error that a new batch will not fix (`invalid_request_error`, …): the error body (raw JSON).
        case failed(errorBody: [UInt8], errorType: String)
        /// `errored` with a transient error, `expired` or `canceled`: into a new batch. The type names what happened.
        case retry(type: String)
    }

    var customID: String
    var outcome: Outcome
}
