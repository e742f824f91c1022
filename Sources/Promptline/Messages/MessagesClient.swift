import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Sends Messages API requests over AsyncHTTPClient and classifies every outcome in one place.
public final class MessagesClient: Sendable {
    /// One attempt's successful outcome.
    public struct Success: Sendable {
        /// The response body, compact JSON, unchanged apart from insignificant line breaks.
        var message: [UInt8]
        var inputTokens: Int
        var outputTokens: Int
        /// `usage.cache_creation_input_tokens`: prompt tokens written to the cache (they count
        /// towards the input-tokens-per-minute limit; cache reads do not).
        var cacheCreationInputTokens = 0
        /// `usage.cache_read_input_tokens`.
        var cacheReadInputTokens = 0
        /// The whole `usage` as promptline counts it (cache writes by lifetime included).
        var tokens = TokenCount()
        /// The response's `stop_reason` (`end_turn`, `max_tokens`, …).
        var stopReason: String?
        /// The response's `model`: the dated id that answered (`claude-haiku-4-5-20251001`).
        var answeringModel: String?
        /// The response's rate-limit headers.
        var rateLimit: RateLimitHeaders?
    }

    /// One decoder, made once, for model lists and error bodies (success bodies go through the
    /// faster `MessageResponse.parse`).
    private static let decoder = JSONDecoder()

    /// One event-loop thread for the process's connections (as NIO's singleton group, never shut
    /// down): a single thread is enough for the HTTP work of a job, and the store's queue and the
    /// output's queue keep the other cores; two loops on two cores cost more in thread hand-offs
    /// than they gave (`make bench`).
    private static let eventLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1).next()

    /// The job's tasks run on the connections' event loop: a response and the task awaiting it
    /// meet on one thread, with no hand-off to the cooperative pool and back per request.
    private static let executor = EventLoopTaskExecutor(eventLoop)

    /// The event loop of the client's connections, as a task executor.
    public var taskExecutor: (any TaskExecutor)? { Self.executor }

    private let http: HTTPClient
    private let configuration: APIConfiguration
    private let logger: Logger
    /// The logger handed to AsyncHTTPClient per request: the job's logger when it logs debug
    /// messages (AsyncHTTPClient's own are debug and trace), otherwise one that logs nothing.
    /// AsyncHTTPClient attaches a request id to the logger it gets, and a `StreamLogHandler`
    /// re-renders its metadata on every change: 3 % of a job's CPU for messages never shown.
    private let requestLogger: Logger
    /// Largest response body accepted.
    private let maxBodyBytes = 32 << 20
    /// The `POST /v1/messages` request with the API's headers, its body set per attempt (or why the
    /// base URL cannot make one).
    private let messagesRequest: Result<HTTPClient.Request, any Error>

    /// Creates a client with a connection pool sized for `concurrency` requests in flight.
    ///
    /// No read timeout is set: each attempt's deadline (``send(body:timeout:)``) covers the whole
    /// exchange, a body that stops sending and one that trickles alike, and an idle-read timer
    /// rescheduled at every read cost 1.7 % of a job's CPU for nothing the deadline does not do.
    public init(configuration: APIConfiguration, concurrency: Int, connectTimeout: Duration, logger: Logger) {
        var config = configuration.httpClientConfiguration(connectTimeout: connectTimeout)
        config.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, concurrency))
        self.http = HTTPClient(eventLoopGroup: Self.eventLoop, configuration: config)
        self.configuration = configuration
        self.logger = logger
        self.requestLogger = logger.logLevel <= .debug ? logger : Logger(label: logger.label, factory: { _ in SwiftLogNoOpLogHandler() })
        var headers = configuration.request(path: "/v1/messages", method: .POST).headers
        headers.add(name: "content-type", value: "application/json")
        self.messagesRequest = Result {
            try HTTPClient.Request(url: configuration.baseURL + "/v1/messages", method: .POST, headers: headers)
        }
    }

    /// Closes the connection pool. Call once, when the job ends.
    public func shutdown() async {
        try? await http.shutdown()
    }

    private func request(path: String, method: HTTPMethod) -> HTTPClientRequest {
        configuration.request(path: path, method: method)
    }

    /// Sends one `POST /v1/messages` attempt with the given body, within `timeout` seconds
    /// (connect, request and the whole response together).
    ///
    /// The response is gathered on the connection's event loop (AsyncHTTPClient's
    /// `ResponseAccumulator`) and handed over once, whole: one thread hand-off per answer instead of
    /// one per part of it, and the deadline covers the body as well as the head. The request is
    /// built once (``messagesRequest``) and only its body changes, so no URL is parsed per attempt.
    public func send(body: [UInt8], timeout: Duration) async -> Result<Success, RequestFailure> {
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let status: Int
        let headers: HTTPHeaders
        let bytes: [UInt8]
        do {
            var request = try messagesRequest.get()
            request.body = .bytes(body)
            let accumulator = ResponseAccumulator(request: request, maxBodySize: maxBodyBytes)
            let task = http.execute(request: request, delegate: accumulator, deadline: deadline, logger: requestLogger)
            let response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
            status = Int(response.status.code)
            headers = response.headers
            bytes = response.body.map { Array($0.readableBytesView) } ?? []
        } catch is ResponseAccumulator.ResponseTooBigError {
            // Not read further: the connection is dropped rather than the body buffered.
            return .failure(
                RequestFailure(
                    kind: .malformedBody, errorType: "malformed_response",
                    message: "response body over \(maxBodyBytes >> 20) MiB (not read further)"))
        } catch {
            return .failure(Self.classify(transportError: error))
        }
        let rateLimit = RateLimitHeaders.parse(headers.lazy.map { ($0.name, $0.value) })
        if status == 200 {
            // Judged by the body: a valid Messages response is taken whatever its content-type.
            guard let decoded = MessageResponse.parse(bytes), decoded.type == "message" else {
                let contentType = headers.first(name: "content-type") ?? "none"
                return .failure(
                    RequestFailure(
                        kind: .malformedBody, errorType: "malformed_response",
                        message:
                            "HTTP 200 with a body that is not a Messages API response (\(bytes.count) bytes, content-type \(contentType))",
                        rateLimit: rateLimit))
            }
            let tokens = decoded.usage.tokens
            return .success(
                Success(
                    message: Self.singleLine(bytes), inputTokens: tokens.input, outputTokens: tokens.output,
                    cacheCreationInputTokens: tokens.cacheCreation, cacheReadInputTokens: tokens.cacheRead, tokens: tokens,
                    stopReason: decoded.stop_reason, answeringModel: decoded.model, rateLimit: rateLimit))
        }
        var failure = Self.classify(status: status, headers: headers, body: bytes)
        failure.rateLimit = rateLimit
        return .failure(failure)
    }

    /// `GET /v1/models`, every page (`has_more`, `after_id`): the model ids the key can use (the
    /// real API lists dated ids, not aliases), with the first round trip's headers.
    public func listModels(timeout: Duration) async -> Result<(ids: [String], headers: [(String, String)]), RequestFailure> {
        struct Page: Decodable {
            struct Model: Decodable { var id: String }
            var data: [Model]
            var has_more: Bool?
            var last_id: String?
        }
        var ids: [String] = []
        var headers: [(String, String)]?
        var after: String?
        for _ in 0..<1000 {
            var path = "/v1/models?limit=1000"
            if let after { path += "&after_id=" + Self.queryEscaped(after) }
            switch await get(path, timeout: timeout, as: Page.self) {
            case .failure(let failure):
                return .failure(failure)
            case .success(let (page, pageHeaders)):
                ids += page.data.map(\.id)
                if headers == nil { headers = pageHeaders }
                guard page.has_more == true, let next = page.last_id ?? page.data.last?.id, next != after else {
                    return .success((ids, headers ?? []))
                }
                after = next
            }
        }
        return .success((ids, headers ?? []))
    }

    /// `GET /v1/models/{id}`: the id the API resolves a model name to (an alias to its dated snapshot).
    public func retrieveModel(_ model: String, timeout: Duration) async -> Result<String, RequestFailure> {
        struct Model: Decodable { var id: String }
        return await get("/v1/models/" + Self.pathEscaped(model), timeout: timeout, as: Model.self).map(\.0.id)
    }

    /// One GET whose 200 body decodes as `T`.
    private func get<T: Decodable>(_ path: String, timeout: Duration, as type: T.Type) async -> Result<
        (T, [(String, String)]), RequestFailure
    > {
        let request = self.request(path: path, method: .GET)
        do {
            let deadline = NIODeadline.now() + TimeAmount(timeout)
            let response = try await http.execute(request, deadline: deadline, logger: requestLogger)
            var buffer = try await Self.collect(response.body, upTo: maxBodyBytes, deadline: deadline)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            guard response.status == .ok else {
                return .failure(Self.classify(status: Int(response.status.code), headers: response.headers, body: bytes))
            }
            guard let value = try? Self.decoder.decode(T.self, from: Data(bytes)) else {
                return .failure(
                    RequestFailure(
                        kind: .malformedBody, errorType: "malformed_response",
                        message: "GET \(path): the body is not JSON of the API's shape"))
            }
            return .success((value, response.headers.map { ($0.name.lowercased(), $0.value) }))
        } catch {
            return .failure(Self.classify(transportError: error))
        }
    }

    private static func queryEscaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    private static func pathEscaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~@:"))) ?? text
    }
}

extension MessagesClient {
    /// Classifies a failure of the transport (no HTTP response).
    static func classify(transportError error: any Error) -> RequestFailure {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout:
                return RequestFailure(
                    kind: .timeout, errorType: "timeout_error", message: "no complete response within the attempt's timeout")
            default:
                return RequestFailure(kind: .connection, errorType: "connection_error", message: String(describing: error))
            }
        }
        if error is CancellationError {
            return RequestFailure(kind: .connection, errorType: "connection_error", message: "cancelled")
        }
        return RequestFailure(kind: .connection, errorType: "connection_error", message: String(describing: error))
    }

    /// Classifies an HTTP error response from its status, headers and the API's error body.
    ///
    /// - Parameter now: the wall-clock time, against which a `retry-after` HTTP date is read.
    static func classify(status: Int, headers: HTTPHeaders, body: [UInt8], now: Date = Date()) -> RequestFailure {
        var failure = RequestFailure(kind: .http(status: status), errorType: defaultErrorType(status), message: "HTTP \(status)")
        if let decoded = try? Self.decoder.decode(ErrorResponse.self, from: Data(body)), decoded.type == "error" {
            failure.errorType = decoded.error.type
            failure.message = decoded.error.message ?? failure.message
            failure.errorCode = decoded.error.details?.error_code
            failure.body = singleLine(body)
        }
        failure.retryAfter = RetryAfter.parse(
            milliseconds: headers.first(name: "retry-after-ms"), value: headers.first(name: "retry-after"), now: now)
        switch headers.first(name: "x-should-retry")?.lowercased() {
        case "true": failure.shouldRetry = true
        case "false": failure.shouldRetry = false
        default: break
        }
        return failure
    }

    private static func defaultErrorType(_ status: Int) -> String {
        switch status {
        case 400: "invalid_request_error"
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 408: "timeout_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 529: "overloaded_error"
        default: "api_error"
        }
    }

    /// The body with line breaks (only ever insignificant white space in valid JSON) made spaces,
    /// so it can stand in one JSONL line unchanged otherwise.
    static func singleLine(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 { bytes.removeLast() }
        for index in bytes.indices where bytes[index] == 0x0A || bytes[index] == 0x0D { bytes[index] = 0x20 }
        return bytes
    }
}
