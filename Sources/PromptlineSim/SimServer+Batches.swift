import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PromptlineJSON

extension SimServer {
    /// Adds the Message Batches API (`/v1/messages/batches…`) and `GET /_sim/batches` (its counters).
    func addBatchRoutes(to router: Router<SimRequestContext>) {
        router.post("/v1/messages/batches") { request, context in
            try await self.handleBatchCreate(request, context: context)
        }
        router.get("/v1/messages/batches") { request, _ in
            try await self.batchCall(request) { batchContext in
                let limitText = request.uri.queryParameters.get("limit")
                let limit = limitText.flatMap(Int.init) ?? 20
                guard (1...1000).contains(limit), limitText == nil || Int(limitText!) != nil else {
                    return .failure(.invalidRequest("limit: Input should be between 1 and 1000"))
                }
                let afterID = request.uri.queryParameters.get("after_id")
                let beforeID = request.uri.queryParameters.get("before_id")
                if afterID != nil && beforeID != nil {
                    return .failure(.invalidRequest("give at most one of after_id and before_id"))
                }
                return await self.batches.list(limit: limit, afterID: afterID, beforeID: beforeID, context: batchContext)
                    .map { Self.encode($0) }
            }
        }
        router.get("/v1/messages/batches/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.batchCall(request) { batchContext in
                guard let batch = await self.batches.retrieve(id, context: batchContext) else { return .failure(Self.unknownBatch(id)) }
                return .success(Self.encode(batch))
            }
        }
        router.post("/v1/messages/batches/:id/cancel") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await self.batchCall(request) { batchContext in
                await self.batches.cancel(id, context: batchContext).map { Self.encode($0) }
            }
        }
        router.get("/v1/messages/batches/:id/results") { request, context in
            let id = context.parameters.get("id") ?? ""
            let requestID = Self.makeRequestID()
            let now = Date().timeIntervalSince1970
            if let error = self.authenticationError(request) {
                return await self.errorResponse(error, requestID: requestID, now: now)
            }
            switch await self.batches.results(id, context: await self.batchContext(request, now: now)) {
            case .failure(let error):
                return await self.errorResponse(error, requestID: requestID, now: now)
            case .success(let lines):
                var headers = HTTPFields()
                headers[.contentType] = "application/x-jsonl"
                headers[Self.requestIDHeader] = requestID
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: lines)))
            }
        }
        router.get("/_sim/batches") { request, _ in
            let batchContext = await self.batchContext(request, now: Date().timeIntervalSince1970)
            return Self.jsonResponse(Self.encode(await self.batches.currentStats(context: batchContext)))
        }
    }

    /// What the batches actor needs to know about the server now.
    func batchContext(_ request: Request, now: Double) async -> SimBatches.Context {
        let scenario = await self.state.scenario
        let authority = request.head.authority ?? "\(self.configuration.host):\(self.configuration.port)"
        return SimBatches.Context(
            scenario: scenario.batches ?? SimBatchScenario(), catalog: await self.state.catalog,
            errorRates: scenario.errorRates ?? [:], now: now, origin: "http://\(authority)")
    }

    /// Authenticates a batch call, runs it, and answers its JSON or its error.
    private func batchCall(
        _ request: Request, _ body: (SimBatches.Context) async -> Result<[UInt8], SimAPIError>
    ) async throws -> Response {
        let requestID = Self.makeRequestID()
        let now = Date().timeIntervalSince1970
        if let error = self.authenticationError(request) {
            return await self.errorResponse(error, requestID: requestID, now: now)
        }
        switch await body(await self.batchContext(request, now: now)) {
        case .success(let bytes):
            return await self.response(status: 200, body: bytes, requestID: requestID, now: now)
        case .failure(let error):
            return await self.errorResponse(error, requestID: requestID, now: now)
        }
    }

    static func unknownBatch(_ id: String) -> SimAPIError {
        SimAPIError(status: 404, type: "not_found_error", message: "No batch with id \(id).")
    }

    /// `POST /v1/messages/batches`: checks the envelope (custom_ids, limits), creates the batch,
    /// and answers it, unless the scenario holds this create's answer.
    func handleBatchCreate(_ request: Request, context: SimRequestContext) async throws -> Response {
        let requestID = Self.makeRequestID()
        await self.batches.receivedCreate()
        func fail(_ error: SimAPIError) async -> Response {
            await self.errorResponse(error, requestID: requestID, now: Date().timeIntervalSince1970)
        }
        if let error = self.authenticationError(request) { return await fail(error) }
        guard let version = request.headers[Self.anthropicVersion], !version.isEmpty else {
            return await fail(.invalidRequest("anthropic-version: header is required"))
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: SimBatches.maxBytes)
        } catch {
            return await fail(SimAPIError(status: 413, type: "request_too_large", message: "A batch body is at most 256 MB."))
        }
        guard let parsed = JSONValue.requestBody(Array(buffer.readableBytesView)) else {
            return await fail(.invalidRequest("The request body is not valid JSON."))
        }
        let items: [SimBatches.Item]
        switch SimBatches.parseCreate(parsed) {
        case .failure(let error): return await fail(error)
        case .success(let parsedItems): items = parsedItems
        }
        let now = Date().timeIntervalSince1970
        let (batch, hold) = await self.batches.create(items: items, context: await self.batchContext(request, now: now))
        if hold {
            // The batch exists, but its id never reaches the client.
            try? await self.hang(channel: context.channel)
            await Self.resetConnection(context.channel)
            throw CancellationError()
        }
        return await self.response(status: 200, body: Self.encode(batch), requestID: requestID, now: now)
    }
}
