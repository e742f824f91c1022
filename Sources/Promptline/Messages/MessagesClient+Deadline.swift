import AsyncHTTPClient
import NIOCore

extension MessagesClient {
    /// The whole response body, by `deadline`.
    ///
    /// AsyncHTTPClient's request deadline ends with the response head: a body that trickles or
    /// never ends would hold the attempt for ever. The deadline is checked as each part arrives
    /// (a body that stops sending altogether is ended by the client's read timeout); past it the
    /// read is abandoned (the connection is dropped) and the attempt is a timeout, like one whose
    /// head came too late. No timer per request: a cancelled sleep would hold its timer until
    /// it fired.
    static func collect(_ body: HTTPClientResponse.Body, upTo limit: Int, deadline: NIODeadline) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        for try await part in body {
            guard NIODeadline.now() < deadline else { throw HTTPClientError.deadlineExceeded }
            guard collected.readableBytes + part.readableBytes <= limit else { throw NIOTooManyBytesError(maxBytes: limit) }
            var part = part
            collected.writeBuffer(&part)
        }
        return collected
    }
}
