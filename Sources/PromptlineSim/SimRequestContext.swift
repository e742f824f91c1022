import Hummingbird
import NIOCore

/// The request context of the simulator: Hummingbird's core context plus the
/// connection's channel, so a `reset` fault can drop the connection.
struct SimRequestContext: RequestContext {
    /// Hummingbird's core context storage.
    var coreContext: CoreRequestContextStorage
    /// The connection the request arrived on.
    let channel: any Channel

    /// Creates the context for one request.
    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// Bodies up to the real API's 32 MB are read; larger ones get 413.
    var maxUploadSize: Int { SimServer.maxRequestBytes }
}
