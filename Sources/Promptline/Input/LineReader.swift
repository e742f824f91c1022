#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads the lines of one input file, plain or gzip, in bounded memory.
///
/// Gzip is recognised by its magic bytes (`1f 8b`), not by the file's name; concatenated
/// members read as one stream. The file is read in ``readChunkSize`` chunks and never held
/// whole: memory stays within about ``readChunkSize`` plus the longest line accepted.
///
/// A UTF-8 byte-order mark at the start, `\r\n` line ends and a missing final newline are
/// accepted. Blank lines (only spaces, tabs and `\r`) are skipped but counted, so line numbers
/// are those an editor shows. A line longer than `maxLineBytes` is skipped without being held
/// and reported with ``InputLine/tooLong`` set. A corrupt or truncated gzip stream, or a failed
/// read, first lets every complete line before the fault be read, then ``next()`` throws; the
/// line the fault cut is not returned. Damage that still inflates (caught only by a member's
/// CRC at its end) is reported at the member's end, after the lines it altered.
///
/// Reading blocks: call ``next()`` on a thread of its own (an actor on a
/// `DispatchQueueExecutor`), not on Swift's cooperative pool.
public struct LineReader: ~Copyable {
    /// The size of one `read(2)` from the file, and of one block of inflated output.
    static let readChunkSize = 128 * 1024

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The input as the user named it; standard input is `<stdin>`.
    let file: String
    /// The longest line, in bytes without its terminator, returned with its bytes.
    let maxLineBytes: Int
    /// The file's size in bytes when it is a regular file, otherwise `nil` (a pipe).
    let fileSize: Int?
    /// The bytes read from the file so far (compressed bytes for gzip), for progress.
    private(set) var bytesRead = 0

    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var format = Format.undetected
    private var inflater: GzipInflater?
    /// Compressed bytes read but not yet inflated: `compressed[compressedStart..<compressedEnd]`.
    private var compressed: [UInt8] = []
    private var compressedStart = 0
    private var compressedEnd = 0
    /// Text not yet returned: `text[textStart..<textEnd]`; `text[textStart..<scanned]` has no `\n`.
    private var text: [UInt8]
    private var textStart = 0
    private var textEnd = 0
    private var scanned = 0
    private var lineNumber = 0
    /// The length so far of an over-long line being skipped, and whether it ended in `\r`.
    private var skipped: (length: Int, endsWithCarriageReturn: Bool)?
    private var endOfInput = false
    /// A fault met while filling the buffer, thrown once the complete lines before it are read.
    private var fault: InputError?
    private var finished = false

    private enum Format {
        case undetected
        case plain
        case gzip
    }

    /// Opens `path` for reading, or standard input when `path` is `-`.
    ///
    /// - Parameter maxLineBytes: The longest line accepted; longer ones are reported with
    ///   ``InputLine/tooLong``. Must be positive.
    /// - Throws: ``InputError`` with code ``InputError/Code/unreadable`` when the file cannot be
    ///   opened or is a directory.
    public init(path: String, maxLineBytes: Int) throws(InputError) {
        precondition(maxLineBytes > 0, "maxLineBytes must be positive")
        let file = path == "-" ? "<stdin>" : path
        let descriptor: Int32
        if path == "-" {
            descriptor = STDIN_FILENO
        } else {
            descriptor = Self.retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
            guard descriptor >= 0 else {
                throw InputError(code: .unreadable, file: file, message: "cannot open: \(Self.errnoText())")
            }
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let error = InputError(code: .unreadable, file: file, message: "cannot open: \(Self.errnoText())")
            if path != "-" {
                close(descriptor)
            }
            throw error
        }
        let kind = status.st_mode & S_IFMT
        if kind == S_IFDIR {
            if path != "-" {
                close(descriptor)
            }
            throw InputError(code: .unreadable, file: file, message: "cannot read: is a directory")
        }
        self.file = file
        self.maxLineBytes = maxLineBytes
        self.fileSize = kind == S_IFREG ? Int(status.st_size) : nil
        self.descriptor = descriptor
        self.ownsDescriptor = path != "-"
        self.text = [UInt8](repeating: 0, count: 2 * Self.readChunkSize)
    }

    deinit {
        if self.ownsDescriptor {
            close(self.descriptor)
        }
    }

    /// The next non-blank line, or `nil` at the end of the file.
    ///
    /// - Throws: ``InputError`` once every complete line before a fault has been returned: a
    ///   corrupt (``InputError/Code/corruptGzip``) or truncated
    ///   (``InputError/Code/truncatedGzip``) gzip stream, or a failed read
    ///   (``InputError/Code/unreadable``). After it, `next()` returns `nil`.
    public mutating func next() throws(InputError) -> InputLine? {
        while !self.finished {
            if let newline = self.findNewline() {
                let start = self.textStart
                self.textStart = newline + 1
                self.scanned = self.textStart
                if let line = self.completeLine(start..<newline) {
                    return line
                }
                continue
            }
            let pending = self.textEnd - self.textStart
            if pending > 0, self.skipped != nil || pending > self.maxLineBytes + Self.byteOrderMark.count + 1 {
                self.skipPendingText()
            }
            if let fault = self.fault {
                self.finished = true
                throw fault
            }
            if self.endOfInput {
                self.finished = true
                if self.textEnd > self.textStart || self.skipped != nil {
                    let start = self.textStart
                    self.textStart = self.textEnd
                    if let line = self.completeLine(start..<self.textEnd) {
                        return line
                    }
                }
                return nil
            }
            self.fill()
        }
        return nil
    }

    /// The index of the first `\n` in the pending text, scanning each byte once.
    private mutating func findNewline() -> Int? {
        let from = self.scanned
        let count = self.textEnd - from
        guard count > 0 else { return nil }
        let found = self.text.withUnsafeBufferPointer { buffer -> Int? in
            let base = buffer.baseAddress! + from
            guard let match = memchr(base, Int32(UInt8(ascii: "\n")), count) else { return nil }
            return from + (UnsafeRawPointer(match) - UnsafeRawPointer(base))
        }
        self.scanned = found ?? self.textEnd
        return found
    }

    /// The line for `text[range]` (its terminator already removed), or `nil` when it is blank.
    private mutating func completeLine(_ range: Range<Int>) -> InputLine? {
        self.lineNumber += 1
        var lower = range.lowerBound
        var upper = range.upperBound
        if let skipped = self.skipped {
            self.skipped = nil
            let endsWithCarriageReturn = range.isEmpty ? skipped.endsWithCarriageReturn : self.text[upper - 1] == 0x0D
            let length = skipped.length + range.count - (endsWithCarriageReturn ? 1 : 0)
            return InputLine(file: self.file, number: self.lineNumber, bytes: [], tooLong: length)
        }
        if self.lineNumber == 1, self.text[lower..<upper].starts(with: Self.byteOrderMark) {
            lower += Self.byteOrderMark.count
        }
        if upper > lower, self.text[upper - 1] == 0x0D {
            upper -= 1
        }
        if upper - lower > self.maxLineBytes {
            return InputLine(file: self.file, number: self.lineNumber, bytes: [], tooLong: upper - lower)
        }
        let isBlank = self.text[lower..<upper].allSatisfy {
            $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == 0x0D
        }
        if isBlank {
            return nil
        }
        return InputLine(file: self.file, number: self.lineNumber, bytes: Array(self.text[lower..<upper]))
    }

    /// Drops the pending text of a line already too long, keeping only its length.
    private mutating func skipPendingText() {
        var length = self.textEnd - self.textStart
        if self.skipped == nil, self.lineNumber == 0,
            self.text[self.textStart..<self.textEnd].starts(with: Self.byteOrderMark)
        {
            length -= Self.byteOrderMark.count
        }
        let endsWithCarriageReturn = self.text[self.textEnd - 1] == 0x0D
        self.skipped = ((self.skipped?.length ?? 0) + length, endsWithCarriageReturn)
        self.textStart = self.textEnd
        self.scanned = self.textEnd
    }

    /// Reads or inflates more text into the buffer; records the end of input or a fault.
    private mutating func fill() {
        self.makeRoomForText()
        switch self.format {
        case .undetected:
            self.detectFormat()
        case .plain:
            let count = self.readIntoText()
            if count == 0 {
                self.endOfInput = true
            }
        case .gzip:
            self.inflateIntoText()
        }
    }

    /// Reads the first bytes and decides by the gzip magic whether the file is compressed.
    private mutating func detectFormat() {
        while self.compressedEnd < 2 {
            guard let count = self.readCompressed(), count > 0 else { break }
        }
        let first = self.compressed[..<self.compressedEnd]
        if first.starts(with: [0x1F, 0x8B]) {
            self.format = .gzip
            self.inflater = GzipInflater(file: self.file)
        } else {
            self.format = .plain
            self.text.replaceSubrange(self.textEnd..<self.textEnd + first.count, with: first)
            self.textEnd += first.count
            self.compressed = []
            self.compressedEnd = 0
            if first.isEmpty {
                self.endOfInput = true
            }
        }
    }

    /// Inflates pending compressed bytes, reading another chunk when none are left.
    private mutating func inflateIntoText() {
        guard let inflater = self.inflater else { return }
        if self.compressedStart == self.compressedEnd {
            self.compressedStart = 0
            self.compressedEnd = 0
            guard let count = self.readCompressed() else { return }
            if count == 0 {
                self.endOfInput = true
                do {
                    try inflater.finish()
                } catch {
                    self.fault = error
                }
                return
            }
        }
        let start = self.compressedStart
        let end = self.compressedEnd
        let textEnd = self.textEnd
        do {
            let (consumed, produced) = try self.compressed.withUnsafeBufferPointer { input throws(InputError) in
                try self.text.withUnsafeMutableBufferPointer { output throws(InputError) in
                    try inflater.inflate(
                        UnsafeBufferPointer(rebasing: input[start..<end]),
                        into: UnsafeMutableBufferPointer(rebasing: output[textEnd...]))
                }
            }
            self.compressedStart += consumed
            self.textEnd += produced
        } catch {
            self.fault = error
            self.endOfInput = true
        }
    }

    /// Moves pending text to the front of the buffer, or grows it, so a chunk fits after it.
    private mutating func makeRoomForText() {
        guard self.text.count - self.textEnd < Self.readChunkSize else { return }
        let pending = self.textEnd - self.textStart
        if self.textStart > 0 {
            self.text.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress!
                base.update(from: base + self.textStart, count: pending)
            }
            self.scanned -= self.textStart
            self.textStart = 0
            self.textEnd = pending
        }
        if self.text.count - self.textEnd < Self.readChunkSize {
            self.text.append(contentsOf: repeatElement(0, count: max(self.text.count, Self.readChunkSize)))
        }
    }

    /// Reads up to a chunk straight into the text buffer; 0 at the end of the file or on a
    /// fault, which is recorded.
    private mutating func readIntoText() -> Int {
        let textEnd = self.textEnd
        let descriptor = self.descriptor
        let count = self.text.withUnsafeMutableBufferPointer { buffer in
            Self.retryingOnInterrupt { read(descriptor, buffer.baseAddress! + textEnd, Self.readChunkSize) }
        }
        guard count >= 0 else {
            self.recordReadFault()
            return 0
        }
        self.textEnd += count
        self.bytesRead += count
        return count
    }

    /// Reads up to a chunk into the compressed buffer after its pending bytes: the count read,
    /// 0 at the end of the file, `nil` on a fault, which is recorded.
    private mutating func readCompressed() -> Int? {
        if self.compressed.count < Self.readChunkSize {
            self.compressed = [UInt8](repeating: 0, count: Self.readChunkSize)
        }
        let descriptor = self.descriptor
        let end = self.compressedEnd
        let count = self.compressed.withUnsafeMutableBufferPointer { buffer in
            Self.retryingOnInterrupt { read(descriptor, buffer.baseAddress! + end, buffer.count - end) }
        }
        guard count >= 0 else {
            self.recordReadFault()
            return nil
        }
        self.compressedEnd += count
        self.bytesRead += count
        return count
    }

    private mutating func recordReadFault() {
        self.fault = InputError(
            code: .unreadable, file: self.file, byteOffset: self.bytesRead,
            message: "cannot read: \(Self.errnoText())")
        self.endOfInput = true
    }

    private static func retryingOnInterrupt<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR {
                return result
            }
        }
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
