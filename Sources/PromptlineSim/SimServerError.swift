/// Why a ``SimServer`` could not serve.
enum SimServerError: Error, Sendable {
    /// The server stopped before it was listening.
    case didNotStart
}
