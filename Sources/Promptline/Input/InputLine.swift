/// One physical line of an input file, without its line terminator.
public struct InputLine: Hashable, Sendable {
    /// The input as the user named it; standard input is `<stdin>`.
    let file: String
    /// The 1-based physical line number in the (decompressed) file, blank lines included.
    public let number: Int
    /// The line's bytes, without `\n`, a trailing `\r` or, on line 1, a UTF-8 byte-order
    /// mark. Empty when ``tooLong`` is set.
    let bytes: [UInt8]
    /// The line's length in bytes when it is longer than the reader's maximum, otherwise `nil`.
    /// Such a line is skipped without being held in memory; it is reported so the caller can
    /// mark the record invalid.
    let tooLong: Int?

    /// Creates a line.
    init(file: String, number: Int, bytes: [UInt8], tooLong: Int? = nil) {
        self.file = file
        self.number = number
        self.bytes = bytes
        self.tooLong = tooLong
    }
}
