import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// A local simulator of the Claude Messages API (`POST /v1/messages`,
/// `GET /v1/models`, admin endpoints under `/_sim/`).
///
/// Start it in-process with ``withRunning(_:)`` (tests) or ``run(onListening:)``
/// (the executable: stops on SIGINT/SIGTERM).
public struct SimServer: Sendable {
    /// Largest accepted request body, as the real API (32 MB).
    static let maxRequestBytes = 32 * 1024 * 1024

    /// The configuration the server was made with.
    let configuration: SimConfiguration
    let state: SimState
    let batches: SimBatches
    let logger: Logger

    /// Creates a server; nothing listens until it is run.
    public init(configuration: SimConfiguration, logger: Logger) {
        self.configuration = configuration
        // One prompt cache for both: batches read what Messages requests wrote, and the reverse.
        let promptCache = SimPromptCacheStore()
        self.state = SimState(configuration: configuration, now: Date().timeIntervalSince1970, promptCache: promptCache)
        self.batches = SimBatches(promptCache: promptCache)
        self.logger = logger
    }

    /// The stdout line announcing the listening address.
    public static func listeningLine(host: String, port: Int) -> String {
        "promptline-sim listening on http://\(host):\(port)"
    }

    /// Builds the Hummingbird application; `onListening` gets the bound port.
    func makeApplication(
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router(context: SimRequestContext.self)
        self.addMessageRoutes(to: router)
        self.addAdminRoutes(to: router)
        self.addBatchRoutes(to: router)
        return Application(
            router: router,
            configuration: .init(
                address: .hostname(self.configuration.host, port: self.configuration.port),
                serverName: nil
            ),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: self.logger
        )
    }

    /// Runs until SIGINT or SIGTERM, then shuts down gracefully.
    public func run(onListening: @escaping @Sendable (Int) async -> Void) async throws {
        try await self.makeApplication(onListening: onListening).runService()
    }

    /// Runs the server while `body` runs, passing it the base URL
    /// (`http://127.0.0.1:PORT`), then shuts it down gracefully (a request held by a
    /// `hang` fault is released).
    func withRunning<Result: Sendable>(
        _ body: @Sendable (URL) async throws -> Result
    ) async throws -> Result {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = self.makeApplication { port in
            continuation.yield(port)
            continuation.finish()
        }
        let serviceGroup = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], logger: self.logger)
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await serviceGroup.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await group.next()
                throw SimServerError.didNotStart
            }
            let url = URL(string: "http://\(self.configuration.host):\(port)")!
            let result: Result
            do {
                result = try await body(url)
            } catch {
                await serviceGroup.triggerGracefulShutdown()
                try? await group.waitForAll()
                throw error
            }
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        }
    }
}
