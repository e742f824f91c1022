import AsyncHTTPClient
import NIOCore

extension MessagesClient {
    /// The whole response body, by `deadline`.
    ///
    /// AsyncHTTPClient's request deadline ends with the response head: a body that trickles or
    /// never ends would hold the attempt for ever. Past the deadline the read is cancelled (the
    /// connection is dropped) and the attempt is a timeout, like one whose head came too late.
    static func collect(_ body: HTTPClientResponse.Body, upTo limit: Int, deadline: NIODeadline) async throws -> ByteBuffer {
        let remaining = max(0, (deadline - NIODeadline.now()).nanoseconds)
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: limit) }
            group.addTask {
                try await Task.sleep(for: .nanoseconds(remaining))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else { throw HTTPClientError.deadlineExceeded }
            return buffer
        }
    }
}
