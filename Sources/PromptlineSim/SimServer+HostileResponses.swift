import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension SimServer {
    /// Answers a body-level fault: a 200 (or its headers) that is not a usable Messages response,
    /// or a usable one delivered badly.
    func hostileResponse(
        _ fault: SimFault, model: String, maxTokens: Int, fingerprint: String, userText: String, occurrence: Int,
        inputTokens: Int, admittedAt: Double, requestID: String, channel: any Channel
    ) async throws -> Response {
        let now = Date().timeIntervalSince1970
        /// The answer the request would have had.
        func message() -> [UInt8] {
            let text = SimulatedModel.text(fingerprint: fingerprint, userText: userText)
            return Self.encode(
                SimMessage(
                    id: SimulatedModel.messageID(fingerprint: fingerprint, occurrence: occurrence), model: model, text: text,
                    inputTokens: inputTokens, outputTokens: min(maxTokens, max(1, text.utf8.count / 4))))
        }
        func outputTokens() -> Int {
            min(maxTokens, max(1, SimulatedModel.text(fingerprint: fingerprint, userText: userText).utf8.count / 4))
        }
        var response = await self.response(status: 200, body: [], requestID: requestID, now: now)
        let hangLimit = self.configuration.hangLimitSeconds
        switch fault {
        case .notJSON:
            await self.state.answered(.hostile(fault), model: model)
            response.headers[.contentType] = "text/html; charset=utf-8"
            response.body = .init(byteBuffer: ByteBuffer(string: "<html><body><h1>502 Bad Gateway</h1></body></html>\n"))
        case .wrongShape:
            await self.state.answered(.hostile(fault), model: model)
            response.body = .init(
                byteBuffer: ByteBuffer(
                    string:
                        #"{"completion":"Simulated legacy completion","model":"\#(model)","stop_reason":"stop_sequence","type":"completion"}"#
                ))
        case .textPlain:
            await self.state.succeeded(
                model: model, usage: SimMessage.Usage(inputTokens: inputTokens, outputTokens: outputTokens()), admittedAt: admittedAt,
                now: now)
            response.headers[.contentType] = "text/plain"
            response.body = .init(byteBuffer: ByteBuffer(bytes: message()))
        case .huge:
            await self.state.answered(.hostile(fault), model: model)
            // A well-formed Messages response whose text is 40 MiB, streamed 1 MiB at a time.
            let head = #"{"content":[{"type":"text","text":""#
            let tail =
                #""}],"id":"msg_sim_huge","model":"\#(model)","role":"assistant","stop_reason":"end_turn","stop_sequence":null,"type":"message","usage":{"input_tokens":\#(inputTokens),"output_tokens":1}}"#
            let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1 << 20)
            let chunks = 40
            response.body = ResponseBody(contentLength: head.utf8.count + chunks * chunk.readableBytes + tail.utf8.count) { writer in
                try await writer.write(ByteBuffer(string: head))
                for _ in 0..<chunks { try await writer.write(chunk) }
                try await writer.write(ByteBuffer(string: tail))
                try await writer.finish(nil)
            }
        case .endless:
            await self.state.answered(.hostile(fault), model: model)
            // Chunked, never finished: a block every 100 ms until the client leaves or the hang limit passes.
            response.body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: #"{"content":["#))
                let deadline = ContinuousClock.now + .milliseconds(Int(hangLimit * 1000))
                while channel.isActive, ContinuousClock.now < deadline {
                    try await writer.write(ByteBuffer(string: #"{"type":"text","text":"more "},"#))
                    try await Task.sleep(for: .milliseconds(100))
                }
                throw CancellationError()
            }
        case .closeAfterHeaders:
            await self.state.answered(.hostile(fault), model: model)
            response.body = ResponseBody(contentLength: 4096) { writer in
                try await writer.write(ByteBuffer(string: #"{"content":[{"#))
                try await Task.sleep(for: .milliseconds(50))
                try? await channel.close()
                throw CancellationError()
            }
        case .trickle:
            await self.state.succeeded(
                model: model, usage: SimMessage.Usage(inputTokens: inputTokens, outputTokens: outputTokens()), admittedAt: admittedAt,
                now: now)
            let bytes = message()
            response.body = ResponseBody(contentLength: bytes.count) { writer in
                var offset = 0
                while offset < bytes.count {
                    let end = min(bytes.count, offset + 4)
                    try await writer.write(ByteBuffer(bytes: bytes[offset..<end]))
                    offset = end
                    if offset < bytes.count { try await Task.sleep(for: .milliseconds(100)) }
                }
                try await writer.finish(nil)
            }
        default:
            preconditionFailure("\(fault) is not a body-level fault")
        }
        return response
    }
}
