/// A fault reading an input file: it cannot be opened or read, or its gzip stream is corrupt
/// or cut short.
///
/// ``description`` is one line written for a user, such as
/// `prompts.jsonl.gz: gzip stream truncated at byte 1234`.
public struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of fault, stable across releases.
    struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unreadable
            case corruptGzip
            case truncatedGzip
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The file cannot be opened or read (it is missing, a directory, not permitted, or a
        /// read failed).
        static let unreadable = Code(.unreadable)
        /// The gzip stream holds data that is not valid deflate or gzip framing (including
        /// bytes after a member that do not start another member).
        static let corruptGzip = Code(.corruptGzip)
        /// The gzip stream ends inside a member.
        static let truncatedGzip = Code(.truncatedGzip)

        /// The code's stable name, such as `truncatedGzip`.
        var description: String { self.base.rawValue }
    }

    /// The kind of fault.
    let code: Code
    /// The input as the user named it; standard input is `<stdin>`.
    let file: String
    /// The 1-based line number the fault concerns, when it concerns one.
    let line: Int?
    /// The 0-based offset in the file (compressed bytes for gzip) where the fault was found,
    /// when known.
    let byteOffset: Int?
    /// What is wrong, without the file, line or offset, such as `gzip stream truncated`.
    let message: String

    /// Creates an error.
    init(code: Code, file: String, line: Int? = nil, byteOffset: Int? = nil, message: String) {
        self.code = code
        self.file = file
        self.line = line
        self.byteOffset = byteOffset
        self.message = message
    }

    /// One line for a user: `file:line: message`, `file: message at byte N` or `file: message`.
    public var description: String {
        if let line = self.line {
            return "\(self.file):\(line): \(self.message)"
        }
        if let byteOffset = self.byteOffset {
            return "\(self.file): \(self.message) at byte \(byteOffset)"
        }
        return "\(self.file): \(self.message)"
    }
}
