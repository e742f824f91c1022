/// A JSON value, as read from an input line and as canonicalized for a request key.
///
/// Numbers are IEEE 754 doubles, as in ECMAScript and as RFC 8785 requires: `1`, `1.0` and
/// `1E0` are the same value. Objects are unordered; ``Canonicalizer`` imposes the order.
enum JSONValue: Sendable, Hashable {
    /// The literal `null`.
    case null
    /// The literals `true` and `false`.
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array, in order.
    case array([JSONValue])
    /// An object: its members by name.
    case object([String: JSONValue])
}

extension JSONValue {
    /// The member named `key` when this is an object, otherwise `nil`.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The string when this is a string, otherwise `nil`.
    var stringValue: String? {
        guard case .string(let string) = self else { return nil }
        return string
    }

    /// The number when this is a number, otherwise `nil`.
    var doubleValue: Double? {
        guard case .number(let number) = self else { return nil }
        return number
    }

    /// The Boolean when this is `true` or `false`, otherwise `nil`.
    var boolValue: Bool? {
        guard case .bool(let bool) = self else { return nil }
        return bool
    }

    /// The members when this is an object, otherwise `nil`.
    var objectValue: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// The elements when this is an array, otherwise `nil`.
    var arrayValue: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// Whether this is the literal `null`.
    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
