import CZlib

/// Streaming gzip compression over zlib, one gzip member at a time.
///
/// ``finishMember(into:)`` closes the current member; the next bytes start a new one. A file cut
/// at a member boundary is a complete multi-member gzip stream, which is what makes the partial
/// output resumable.
final class GzipDeflater {
    private var stream = z_stream()
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)

    init(level: Int32 = 6) throws(OutputError) {
        let rc = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw OutputError(code: .compression, path: "", message: "zlib deflateInit2 failed (\(rc))") }
    }

    deinit {
        deflateEnd(&stream)
    }

    /// Compresses `input`, appending whatever output zlib produces.
    func compress(_ input: [UInt8], into output: inout [UInt8]) {
        run(input, flush: Z_NO_FLUSH, into: &output)
    }

    /// Ends the current gzip member (with its trailer) and prepares the next.
    func finishMember(into output: inout [UInt8]) {
        run([], flush: Z_FINISH, into: &output)
        deflateReset(&stream)
    }

    private func run(_ input: [UInt8], flush: Int32, into output: inout [UInt8]) {
        var input = input
        let capacity = buffer.count
        input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = uInt(inputBuffer.count)
            buffer.withUnsafeMutableBufferPointer { outputBuffer in
                repeat {
                    stream.next_out = outputBuffer.baseAddress
                    stream.avail_out = uInt(capacity)
                    let rc = deflate(&stream, flush)
                    precondition(rc != Z_STREAM_ERROR, "zlib stream state clobbered")
                    let produced = capacity - Int(stream.avail_out)
                    output.append(contentsOf: outputBuffer[0..<produced])
                    if flush == Z_FINISH && rc == Z_STREAM_END { break }
                } while stream.avail_out == 0 || (flush == Z_FINISH)
            }
            stream.next_in = nil
        }
    }
}
