/// The Messages API as the scheduler and `promptline doctor` use it: one request body sent within a
/// timeout and answered with a classified outcome, and the model listing.
///
/// ``MessagesClient`` is the implementation over AsyncHTTPClient; unit tests put a scripted
/// transport under ``RequestRunner`` and ``JobRunner`` instead, so the degradation chain, waiting,
/// leases and job-wide stops are proved in milliseconds without a network.
public protocol MessagesTransport: Sendable {
    /// Sends one `POST /v1/messages` attempt with `body`, within `timeout` seconds: the answer, or
    /// the failure classified as ``MessagesClient`` classifies it.
    func send(body: [UInt8], timeout: Duration) async -> Result<MessagesClient.Success, RequestFailure>

    /// `GET /v1/models`, every page: the model ids the key can use, with the first page's headers.
    func listModels(timeout: Duration) async -> Result<(ids: [String], headers: [(String, String)]), RequestFailure>

    /// `GET /v1/models/{id}`: the id the API resolves a model name to.
    func retrieveModel(_ model: String, timeout: Duration) async -> Result<String, RequestFailure>

    /// Where a job's tasks should run, or nil for Swift's default executor.
    var taskExecutor: (any TaskExecutor)? { get }
}

extension MessagesTransport {
    /// Swift's default executor.
    public var taskExecutor: (any TaskExecutor)? { nil }
}

extension MessagesClient: MessagesTransport {}
