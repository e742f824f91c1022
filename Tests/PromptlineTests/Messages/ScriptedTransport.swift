import Foundation
import Synchronization

@testable import Promptline

/// A ``MessagesTransport`` that answers from a script: per model, a queue of outcomes, then that
/// model's default (success unless told otherwise). A body holding `poisonMarker` always fails
/// with `poisonFailure`, whatever its model serves others. Every send is logged with its time.
final class ScriptedTransport: MessagesTransport {
    enum Step: Sendable {
        case success
        case failure(RequestFailure)
    }

    struct Sent: Sendable, Equatable {
        var model: String
        var at: Double
    }

    private struct State {
        var queues: [String: [Step]] = [:]
        var otherwise: [String: Step] = [:]
        var sent: [Sent] = []
        /// What `GET /v1/models` answers: these ids, or this failure.
        var listing: Result<[String], RequestFailure> = .success([])
        /// What `GET /v1/models/{id}` resolves, by name; names not here answer 404.
        var resolved: [String: String] = [:]
        /// `GET /v1/models` calls so far.
        var listings = 0
    }

    private let state = Mutex(State())
    private let time: TestTime
    let poisonMarker = "POISON"
    let poisonFailure: RequestFailure
    /// Called before each answer, with the model and the number of sends so far (this one included).
    let onSend: @Sendable (String, Int) async -> Void

    init(
        time: TestTime, poisonFailure: RequestFailure = ScriptedTransport.serverError(),
        onSend: @escaping @Sendable (String, Int) async -> Void = { _, _ in }
    ) {
        self.time = time
        self.poisonFailure = poisonFailure
        self.onSend = onSend
    }

    /// Queues `steps` for `model`, after those already queued.
    func script(_ model: String, _ steps: [Step]) {
        state.withLock { $0.queues[model, default: []] += steps }
    }

    /// What `model` answers once its queue is empty.
    func otherwise(_ model: String, _ step: Step) {
        state.withLock { $0.otherwise[model] = step }
    }

    /// Every send so far, in order.
    var sent: [Sent] { state.withLock { $0.sent } }

    /// `GET /v1/models` calls so far.
    var listings: Int { state.withLock { $0.listings } }

    /// The models sent to, in order.
    var models: [String] { sent.map(\.model) }

    func send(body: [UInt8], timeout: Duration) async -> Result<MessagesClient.Success, RequestFailure> {
        let model = Self.model(of: body)
        let now = time.now()
        let (step, count) = state.withLock { state -> (Step, Int) in
            state.sent.append(Sent(model: model, at: now))
            if var queue = state.queues[model], !queue.isEmpty {
                let step = queue.removeFirst()
                state.queues[model] = queue
                return (step, state.sent.count)
            }
            return (state.otherwise[model] ?? .success, state.sent.count)
        }
        await onSend(model, count)
        if body.containsSubsequence(Array(poisonMarker.utf8)) { return .failure(poisonFailure) }
        switch step {
        case .success: return .success(Self.success(model: model))
        case .failure(let failure): return .failure(failure)
        }
    }

    /// Sets what the model listing answers, and what retrieving a model by name resolves.
    func models(_ listing: Result<[String], RequestFailure>, resolving resolved: [String: String] = [:]) {
        state.withLock {
            $0.listing = listing
            $0.resolved = resolved
        }
    }

    func listModels(timeout: Duration) async -> Result<(ids: [String], headers: [(String, String)]), RequestFailure> {
        state.withLock { state in
            state.listings += 1
            return state.listing
        }.map { (ids: $0, headers: [("anthropic-ratelimit-requests-limit", "50")]) }
    }

    func retrieveModel(_ model: String, timeout: Duration) async -> Result<String, RequestFailure> {
        guard let id = state.withLock({ $0.resolved[model] }) else { return .failure(Self.modelNotFound(model)) }
        return .success(id)
    }

    private static func model(of body: [UInt8]) -> String {
        let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        return object?["model"] as? String ?? "?"
    }

    static func success(model: String) -> MessagesClient.Success {
        let message =
            #"{"id":"msg_test","type":"message","role":"assistant","model":"\#(model)","content":[{"type":"text","text":"answer from \#(model)"}],"stop_reason":"end_turn","usage":{"input_tokens":10,"output_tokens":5}}"#
        return MessagesClient.Success(
            message: Array(message.utf8), inputTokens: 10, outputTokens: 5, tokens: TokenCount(input: 10, output: 5),
            stopReason: "end_turn", answeringModel: model)
    }

    // MARK: Failures as the client classifies them

    static func serverError(retryAfter: Double? = nil) -> RequestFailure {
        RequestFailure(kind: .http(status: 500), errorType: "api_error", message: "Internal server error", retryAfter: retryAfter)
    }

    static func overloaded() -> RequestFailure {
        RequestFailure(kind: .http(status: 529), errorType: "overloaded_error", message: "Overloaded")
    }

    static func badRequest() -> RequestFailure {
        RequestFailure(kind: .http(status: 400), errorType: "invalid_request_error", message: "messages: field required")
    }

    static func modelNotFound(_ model: String) -> RequestFailure {
        RequestFailure(kind: .http(status: 404), errorType: "not_found_error", message: "model: \(model)")
    }

    static func unauthorized() -> RequestFailure {
        RequestFailure(kind: .http(status: 401), errorType: "authentication_error", message: "invalid x-api-key")
    }

    static func connectionRefused() -> RequestFailure {
        RequestFailure(kind: .connection, errorType: "connection_error", message: "connection refused")
    }

    static func billing() -> RequestFailure {
        RequestFailure(kind: .http(status: 402), errorType: "billing_error", message: "payment method declined")
    }
}

extension Array where Element == UInt8 {
    fileprivate func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        for start in 0...(count - needle.count) where self[start..<(start + needle.count)].elementsEqual(needle) { return true }
        return false
    }
}
