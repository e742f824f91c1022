extension JSONValue: Codable {
    /// Decodes any JSON value from a single-value container.
    ///
    /// A `Decoder` cannot say which kind a value is, so the kinds are tried in turn: `null` first
    /// (asking costs no error, and decoding any other kind from `null` throws `valueNotFound`,
    /// not a type mismatch), then the most common in API bodies (string, object, array, number,
    /// Boolean): each miss costs a thrown error. A type mismatch at this level moves on to the
    /// next kind; any other error (a nested value that cannot be decoded) is rethrown, not masked
    /// by a later miss. Input lines and bodies are parsed by ``JSONParser`` instead, which is
    /// much faster.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let string = try Self.attempt(String.self, from: container) {
            self = .string(string)
        } else if let members = try Self.attempt([String: JSONValue].self, from: container) {
            self = .object(members)
        } else if let elements = try Self.attempt([JSONValue].self, from: container) {
            self = .array(elements)
        } else if let number = try Self.attempt(Double.self, from: container) {
            self = .number(number)
        } else {
            self = .bool(try container.decode(Bool.self))
        }
    }

    /// Encodes the value into a single-value container.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let bool): try container.encode(bool)
        case .number(let number): try container.encode(number)
        case .string(let string): try container.encode(string)
        case .array(let elements): try container.encode(elements)
        case .object(let members): try container.encode(members)
        }
    }

    /// Decodes `type`, or returns `nil` when the value at this level is of another kind.
    private static func attempt<T: Decodable>(
        _ type: T.Type,
        from container: any SingleValueDecodingContainer
    ) throws -> T? {
        do {
            return try container.decode(type)
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.count == container.codingPath.count {
            return nil
        }
    }
}
