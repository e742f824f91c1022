/// The error thrown when bytes are not one valid UTF-8 JSON value.
///
/// ``description`` is one line written for a user, such as
/// `invalid JSON: unexpected character 'x' at byte 17`; the caller prefixes the file and line.
public struct InvalidJSONError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of fault, stable across releases.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidUTF8
            case invalidJSON
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The line holds a byte sequence that is not UTF-8.
        package static let invalidUTF8 = Code(.invalidUTF8)
        /// The line is UTF-8 but not one JSON value (RFC 8259).
        package static let invalidJSON = Code(.invalidJSON)

        /// The code's stable name, such as `invalidJSON`.
        package var description: String { self.base.rawValue }
    }

    /// The kind of fault.
    package let code: Code
    /// The 0-based offset in the line of the byte where the fault was found, when known.
    package let byteOffset: Int?
    /// What is wrong, without the offset, such as `unexpected character 'x'`.
    package let reason: String

    /// Creates an error.
    init(code: Code, byteOffset: Int?, reason: String) {
        self.code = code
        self.byteOffset = byteOffset
        self.reason = reason
    }

    /// One line for a user: `invalid JSON: <reason> at byte <offset>`.
    public var description: String {
        let prefix = self.code == .invalidUTF8 ? "invalid UTF-8" : "invalid JSON"
        guard let byteOffset = self.byteOffset else {
            return "\(prefix): \(self.reason)"
        }
        return "\(prefix): \(self.reason) at byte \(byteOffset)"
    }
}
