import Hummingbird
import NIOCore

/// The request context of the simulator: Hummingbird's core context plus the
/// connection's channel, so a `reset` fault can drop the connection.
public struct SimRequestContext: RequestContext {
    /// Hummingbird's core context storage.
    public var coreContext: CoreRequestContextStorage
    /// The connection the request arrived on.
    public let channel: any Channel

    /// Creates the context for one request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// Bodies up to the real API's 32 MB are read; larger ones get 413.
    public var maxUploadSize: Int { SimServer.maxRequestBytes }
}
