import Foundation
import Hummingbird

extension SimServer {
    /// Adds the unauthenticated test endpoints under `/_sim/`.
    func addAdminRoutes(to router: Router<SimRequestContext>) {
        router.get("/_sim/stats") { request, _ in
            var stats = await self.state.currentStats()
            // The batches bill their own results (each as of its finish time, so the batches are
            // moved on to now first); the ledger shows both backends side by side.
            let batchContext = await self.batchContext(request, now: Date().timeIntervalSince1970)
            for (model, tokens) in await self.batches.currentBill(context: batchContext) {
                stats.billed[model, default: [:]][SimStats.batchBackend] = tokens
            }
            return Self.jsonResponse(Self.encode(stats))
        }
        router.post("/_sim/reset") { _, _ in
            await self.state.resetStats()
            await self.batches.resetStats()
            return Self.jsonResponse(Array(#"{"ok":true}"#.utf8))
        }
        router.get("/_sim/scenario") { _, _ in
            Self.jsonResponse(Self.encode(await self.state.scenario))
        }
        router.put("/_sim/scenario") { request, context in
            let buffer = try await request.body.collect(upTo: context.maxUploadSize)
            let scenario: SimScenario
            do {
                scenario = try SimScenario.decode(Data(buffer.readableBytesView))
            } catch {
                let body = SimErrorBody(.invalidRequest("Invalid scenario: \(error)"), requestID: Self.makeRequestID())
                return Self.jsonResponse(Self.encode(body), status: .badRequest)
            }
            await self.state.replaceScenario(scenario, now: Date().timeIntervalSince1970)
            return Self.jsonResponse(Self.encode(scenario))
        }
    }

    static func jsonResponse(_ body: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
