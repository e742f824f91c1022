import CZlib

/// Streaming gzip compression over zlib, one gzip member at a time.
///
/// ``finishMember(into:)`` closes the current member; the next bytes start a new one. A file cut
/// at a member boundary is a complete multi-member gzip stream, which is what makes the partial
/// output resumable.
final class GzipDeflater {
    /// On the heap, at one address for the deflater's life: zlib keeps a pointer to the stream in
    /// its internal state, and `&stream` on a stored property is only valid for one call.
    private let stream: UnsafeMutablePointer<z_stream>
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)

    /// Creates a deflater at zlib `level`.
    ///
    /// The default is level 1, zlib's fastest: on JSONL answers it spends half the CPU of level 6
    /// (about 1.9 against 3.8 µs a record) for an output some 16 % larger, and a job's CPU per record
    /// is what promptline keeps low (`make bench`). Recompress with `gzip -9` when size matters more.
    init(level: Int32 = 1) throws(OutputError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = deflateInit2_(
            stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        // Every stored property is set: on a throw, deinit frees the stream (deflateEnd of a stream whose
        // init failed is a harmless Z_STREAM_ERROR).
        guard rc == Z_OK else {
            throw OutputError(code: .compression, path: "", message: "zlib deflateInit2 failed (\(rc))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `input`, appending whatever output zlib produces.
    func compress(_ input: [UInt8], into output: inout [UInt8]) {
        run(input, flush: Z_NO_FLUSH, into: &output)
    }

    /// Ends the current gzip member (with its trailer) and prepares the next.
    func finishMember(into output: inout [UInt8]) {
        run([], flush: Z_FINISH, into: &output)
        deflateReset(stream)
    }

    private func run(_ input: [UInt8], flush: Int32, into output: inout [UInt8]) {
        var input = input
        let capacity = buffer.count
        input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.pointee.next_in = inputBuffer.baseAddress
            stream.pointee.avail_in = uInt(inputBuffer.count)
            buffer.withUnsafeMutableBufferPointer { outputBuffer in
                repeat {
                    stream.pointee.next_out = outputBuffer.baseAddress
                    stream.pointee.avail_out = uInt(capacity)
                    let rc = deflate(stream, flush)
                    precondition(rc != Z_STREAM_ERROR, "zlib stream state clobbered")
                    let produced = capacity - Int(stream.pointee.avail_out)
                    output.append(contentsOf: outputBuffer[0..<produced])
                    if flush == Z_FINISH && rc == Z_STREAM_END { break }
                } while stream.pointee.avail_out == 0 || (flush == Z_FINISH)
            }
            stream.pointee.next_in = nil
            stream.pointee.next_out = nil
        }
    }
}
