import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PromptlineJSON
import ServiceLifecycle

extension SimServer {
    /// Adds `POST /v1/messages` and `GET /v1/models`.
    func addMessageRoutes(to router: Router<SimRequestContext>) {
        router.post("/v1/messages") { request, context in
            try await self.handleMessage(request, context: context)
        }
        router.get("/v1/models") { request, _ in
            let requestID = Self.makeRequestID()
            let now = Date().timeIntervalSince1970
            if let error = self.authenticationError(request) {
                return await self.errorResponse(error, requestID: requestID, now: now)
            }
            // As the API pages: `limit` 1...1000 (default 20), `after_id`, `before_id`.
            let query = request.uri.queryParameters
            var limit = query.get("limit").flatMap { Int($0) } ?? 20
            guard (1...1000).contains(limit) else {
                return await self.errorResponse(
                    .invalidRequest("limit: Input should be greater than or equal to 1 and less than or equal to 1000"),
                    requestID: requestID, now: now)
            }
            if let pageSize = await self.state.scenario.modelsPageSize, pageSize >= 1 { limit = min(limit, pageSize) }
            let page = await self.state.catalog.page(limit: limit, afterID: query.get("after_id"), beforeID: query.get("before_id"))
            return await self.response(status: 200, body: Self.encode(page), requestID: requestID, now: now)
        }
        router.get("/v1/models/:model_id") { request, context in
            let requestID = Self.makeRequestID()
            let now = Date().timeIntervalSince1970
            if let error = self.authenticationError(request) {
                return await self.errorResponse(error, requestID: requestID, now: now)
            }
            let name = context.parameters.get("model_id")?.removingPercentEncoding ?? ""
            guard let id = await self.state.catalog.resolve(name) else {
                return await self.errorResponse(
                    SimAPIError(status: 404, type: "not_found_error", message: "model: \(name)"), requestID: requestID, now: now)
            }
            return await self.response(status: 200, body: Self.encode(SimModelList.Model(id: id)), requestID: requestID, now: now)
        }
    }

    /// The top-level fields the Messages API accepts; any other is refused with
    /// `400 "<field>: Extra inputs are not permitted"`, as the real API does.
    static let messagesFields: Set<String> = [
        "model", "messages", "max_tokens", "system", "temperature", "top_p", "top_k", "stop_sequences", "metadata",
        "tools", "tool_choice", "thinking", "service_tier", "container", "mcp_servers", "context_management",
        "output_config", "output_format", "inference_geo", "cache_control", "stream",
    ]

    func handleMessage(_ request: Request, context: SimRequestContext) async throws -> Response {
        let requestID = Self.makeRequestID()
        await self.state.received()
        var model: String?

        func fail(_ error: SimAPIError) async -> Response {
            await self.state.answered(.status(error.status), model: model)
            return await self.errorResponse(error, requestID: requestID, model: model, now: Date().timeIntervalSince1970)
        }

        if let error = self.authenticationError(request) {
            return await fail(error)
        }
        guard let version = request.headers[Self.anthropicVersion], !version.isEmpty else {
            return await fail(.invalidRequest("anthropic-version: header is required"))
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxRequestBytes)
        } catch {
            return await fail(SimAPIError.forFault(.requestTooLarge)!)
        }
        let bytes = Array(buffer.readableBytesView)
        guard let parsed = JSONValue.requestBody(bytes) else {
            return await fail(.invalidRequest("The request body is not valid JSON."))
        }
        guard case .object(let fields) = parsed else {
            return await fail(.invalidRequest("The request body must be a JSON object."))
        }
        if let extra = fields.keys.sorted().first(where: { !Self.messagesFields.contains($0) }) {
            return await fail(.invalidRequest("\(extra): Extra inputs are not permitted"))
        }
        guard let modelName = parsed["model"]?.stringValue else {
            return await fail(.invalidRequest("model: Field required"))
        }
        model = modelName
        guard let maxTokens = parsed["max_tokens"]?.intValue else {
            return await fail(.invalidRequest("max_tokens: Field required (an integer)"))
        }
        guard maxTokens >= 1 else {
            return await fail(.invalidRequest("max_tokens: Input should be greater than or equal to 1"))
        }
        guard let messages = parsed["messages"]?.arrayValue else {
            return await fail(.invalidRequest("messages: Field required (an array)"))
        }
        guard !messages.isEmpty else {
            return await fail(.invalidRequest("messages: at least one message is required"))
        }
        if let error = SimStructuredAnswer.schemaError(in: parsed) {
            return await fail(error)
        }
        guard let modelID = await self.state.catalog.resolve(modelName) else {
            return await fail(SimAPIError(status: 404, type: "not_found_error", message: "model: \(modelName)"))
        }

        let prompt: SimCachePrompt?
        switch SimCachePrompt.analyze(parsed, model: modelID) {
        case .failure(let error): return await fail(error)
        case .success(let analyzed): prompt = analyzed
        }

        let fingerprint = SimulatedModel.fingerprint(of: parsed)
        let userText = SimulatedModel.lastUserText(in: parsed)
        let inputTokens = max(1, bytes.count / 4)
        let admittedAt = Date().timeIntervalSince1970
        let plan = await self.state.plan(
            model: modelName,
            fingerprint: fingerprint,
            userText: userText,
            inputTokens: inputTokens,
            prompt: prompt,
            now: admittedAt
        )
        if plan.latencyMs > 0 {
            try await Task.sleep(for: .milliseconds(plan.latencyMs))
        }

        switch plan.outcome {
        case .error(let error):
            return await fail(error)
        case .hang:
            await self.state.answered(.hang, model: model)
            try? await self.hang(channel: context.channel)
            // Released by shutdown or the hang limit: drop the connection rather than answer.
            await Self.resetConnection(context.channel)
            throw CancellationError()
        case .reset:
            await self.state.answered(.reset, model: model)
            await Self.resetConnection(context.channel)
            throw CancellationError()
        case .malformed:
            await self.state.answered(.status(200), model: model)
            var body = Self.encode(
                SimMessage(id: "msg_sim_malformed", model: modelID, text: "truncated", inputTokens: inputTokens, outputTokens: 1)
            )
            body.removeLast(body.count / 2)
            return await self.response(status: 200, body: body, requestID: requestID, model: modelName, now: Date().timeIntervalSince1970)
        case .hostile(let fault):
            return try await self.hostileResponse(
                fault, model: modelName, maxTokens: maxTokens, fingerprint: fingerprint, userText: userText,
                occurrence: plan.occurrence, inputTokens: inputTokens, admittedAt: admittedAt, requestID: requestID,
                channel: context.channel)
        case .success:
            var text = SimulatedModel.text(fingerprint: fingerprint, userText: userText)
            var outputTokens = max(1, text.utf8.count / 4)
            var stopReason = "end_turn"
            if outputTokens > maxTokens {
                // Cut at max_tokens, as the API does.
                text = SimulatedModel.prefix(of: text, bytes: maxTokens * 4)
                outputTokens = maxTokens
                stopReason = "max_tokens"
            }
            var message = SimMessage(
                id: SimulatedModel.messageID(fingerprint: fingerprint, occurrence: plan.occurrence),
                model: modelID,
                text: text,
                inputTokens: inputTokens,
                outputTokens: outputTokens
            )
            message.stopReason = stopReason
            SimStructuredAnswer.shape(&message, request: parsed, fingerprint: fingerprint, userText: userText, maxTokens: maxTokens)
            if let cache = plan.cache {
                message.usage = cache.usage(outputTokens: message.usage.outputTokens)
            }
            let now = Date().timeIntervalSince1970
            // After the latency: what this answer wrote becomes readable as it is sent.
            await self.state.succeeded(model: modelName, usage: message.usage, cache: plan.cache, admittedAt: admittedAt, now: now)
            return await self.response(status: 200, body: message.jsonBytes, requestID: requestID, model: modelName, now: now)
        }
    }

    /// Holds the request until the client closes the connection, the server shuts
    /// down, the task is cancelled or the hang limit passes.
    func hang(channel: any Channel) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(self.configuration.hangLimitSeconds * 1000))
        while channel.isActive, !Task.isShuttingDownGracefully, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Drops the connection with a TCP reset (SO_LINGER 0), without a response.
    static func resetConnection(_ channel: any Channel) async {
        if let provider = channel as? any SocketOptionProvider {
            try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close()
    }

    func authenticationError(_ request: Request) -> SimAPIError? {
        guard let expected = self.configuration.apiKey else { return nil }
        // As the API: `x-api-key`, or `Authorization: Bearer` (an OAuth or auth token).
        guard request.headers[Self.apiKey] == expected || request.headers[.authorization] == "Bearer \(expected)" else {
            return SimAPIError(status: 401, type: "authentication_error", message: "invalid x-api-key")
        }
        return nil
    }
}
