import CZlib

/// Inflates a gzip stream of one or more members with zlib, counting the compressed bytes it
/// consumes so a fault can name its offset.
///
/// Concatenated members are one stream (as `gzip -d` reads them). Bytes after a member that do
/// not start another member are corruption, trailing zeros included.
final class GzipInflater {
    private enum State {
        case beforeFirstMember
        case insideMember
        case betweenMembers
    }

    private let file: String
    private let stream: UnsafeMutablePointer<z_stream>
    private var state = State.beforeFirstMember
    /// A fault found after some output was produced, thrown at the next call so that output
    /// is used first.
    private var fault: InputError?

    /// The compressed bytes consumed so far.
    private(set) var consumed = 0

    /// Creates an inflater for the gzip stream of `file`, which names it in errors.
    init(file: String) {
        self.file = file
        self.stream = .allocate(capacity: 1)
        self.stream.initialize(to: z_stream())
        // `inflateInit2` is a macro; 16 + MAX_WBITS accepts the gzip format only.
        let status = inflateInit2_(self.stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "inflateInit2 failed (\(status)): out of memory or zlib version mismatch")
    }

    deinit {
        inflateEnd(self.stream)
        self.stream.deinitialize(count: 1)
        self.stream.deallocate()
    }

    /// Inflates from `input` into `output` until the input is consumed or the output is full.
    ///
    /// - Returns: How many input bytes were consumed and output bytes produced.
    /// - Throws: ``InputError`` with code ``InputError/Code/corruptGzip`` at the offset of the
    ///   fault. When a call produced output before meeting a fault, it returns that output and
    ///   the next call throws.
    func inflate(
        _ input: UnsafeBufferPointer<UInt8>,
        into output: UnsafeMutableBufferPointer<UInt8>
    ) throws(InputError) -> (consumed: Int, produced: Int) {
        if let fault = self.fault {
            throw fault
        }
        self.stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        self.stream.pointee.avail_in = UInt32(input.count)
        self.stream.pointee.next_out = output.baseAddress
        self.stream.pointee.avail_out = UInt32(output.count)
        defer {
            self.stream.pointee.next_in = nil
            self.stream.pointee.next_out = nil
        }
        inflating: while self.stream.pointee.avail_out > 0 {
            if self.stream.pointee.avail_in > 0 {
                if self.state == .betweenMembers {
                    inflateReset(self.stream)
                }
                self.state = .insideMember
            }
            let availableIn = self.stream.pointee.avail_in
            let availableOut = self.stream.pointee.avail_out
            let status = CZlib.inflate(self.stream, Z_NO_FLUSH)
            switch status {
            case Z_STREAM_END:
                self.state = .betweenMembers
                if self.stream.pointee.avail_in == 0 {
                    break inflating
                }
            case Z_OK, Z_BUF_ERROR:
                if self.stream.pointee.avail_in == availableIn, self.stream.pointee.avail_out == availableOut {
                    break inflating  // No progress possible: more input or output space is needed.
                }
            default:
                let offset = self.consumed + input.count - Int(self.stream.pointee.avail_in)
                let fault = self.corrupt(at: offset, reason: Self.reason(for: status, message: self.stream.pointee.msg))
                guard self.stream.pointee.avail_out < UInt32(output.count) else {
                    throw fault
                }
                self.fault = fault
                break inflating
            }
        }
        let consumed = input.count - Int(self.stream.pointee.avail_in)
        self.consumed += consumed
        return (consumed, output.count - Int(self.stream.pointee.avail_out))
    }

    /// Checks that the stream ended where a member ended.
    ///
    /// - Throws: ``InputError`` with code ``InputError/Code/truncatedGzip`` when the input
    ///   ended inside a member.
    func finish() throws(InputError) {
        guard self.state != .insideMember else {
            throw InputError(code: .truncatedGzip, file: self.file, byteOffset: self.consumed, message: "gzip stream truncated")
        }
    }

    private static func reason(for status: Int32, message: UnsafePointer<CChar>?) -> String {
        switch status {
        case Z_NEED_DICT: return "a preset dictionary is required"
        case Z_MEM_ERROR: return "out of memory"
        default: return message.map { String(cString: $0) } ?? "zlib error \(status)"
        }
    }

    private func corrupt(at offset: Int, reason: String) -> InputError {
        InputError(code: .corruptGzip, file: self.file, byteOffset: offset, message: "corrupt gzip data (\(reason))")
    }
}
