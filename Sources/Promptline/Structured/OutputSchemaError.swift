/// Why `--output-schema FILE` cannot be used: the file cannot be read, is not JSON, or holds a
/// schema the API's structured outputs refuse. Reported before anything is sent (exit 64).
public struct OutputSchemaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of fault, stable across releases.
    enum Code: String, Sendable {
        /// The file cannot be read.
        case unreadable
        /// The file is not one JSON value.
        case invalidJSON
        /// The schema is JSON but the API would refuse it (``SchemaChecker``).
        case refusedByAPI
    }

    let code: Code
    /// The schema file, as given.
    let path: String
    /// What is wrong, for a user.
    let message: String

    /// One line: `--output-schema labels.json: For 'object' type, … (at /properties/address)`.
    public var description: String { "--output-schema \(path): \(message)" }
}
