/// A failure writing the output, naming the path and what the system said.
struct OutputError: Error, CustomStringConvertible, Sendable {
    /// Stable codes for output failures.
    enum Code: String, Sendable {
        case cannotOpen = "output_cannot_open"
        case writeFailed = "output_write_failed"
        case compression = "output_compression"
    }

    let code: Code
    let path: String
    let message: String

    var description: String { "\(path): \(message)" }
}
