/// A JSON value: an input line or a response body as promptline reads it, a request body as the
/// simulator reads it, and what ``Canonicalizer`` writes.
///
/// Numbers are IEEE 754 doubles, as in ECMAScript and as RFC 8785 requires: `1`, `1.0` and
/// `1E0` are the same value, and an integer beyond 2^53 is rounded to the nearest double (the
/// request key of SPEC §3 is defined on that value). Objects are unordered; ``Canonicalizer``
/// imposes the order.
///
/// Public for the simulator's public API and for the `Benchmarks/` package, which measures the
/// parser against `JSONDecoder`; the accessors are for this package's libraries.
public enum JSONValue: Sendable, Hashable {
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
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The string when this is a string, otherwise `nil`.
    package var stringValue: String? {
        guard case .string(let string) = self else { return nil }
        return string
    }

    /// The number when this is a number, otherwise `nil`.
    package var doubleValue: Double? {
        guard case .number(let number) = self else { return nil }
        return number
    }

    /// The number when it is a whole number an `Int` holds (`2`, `2.0`, `2E0`), otherwise `nil`.
    package var intValue: Int? {
        guard case .number(let number) = self else { return nil }
        return Int(exactly: number)
    }

    /// The Boolean when this is `true` or `false`, otherwise `nil`.
    package var boolValue: Bool? {
        guard case .bool(let bool) = self else { return nil }
        return bool
    }

    /// The members when this is an object, otherwise `nil`.
    package var objectValue: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// The elements when this is an array, otherwise `nil`.
    package var arrayValue: [JSONValue]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// Whether this is the literal `null`.
    package var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
