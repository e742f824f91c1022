/// RFC 8785 JSON Canonicalization Scheme (JCS): the one JSON writer of the client and the
/// simulator.
///
/// The canonical form of a value is unique: object members sorted by the UTF-16 code units of
/// their names, no white space, strings with the fewest escapes, and numbers spelled as
/// ECMAScript's `Number.prototype.toString` spells them. Two JSON texts that mean the same
/// value (other member order, white space, `1.0` for `1`, `\u0041` for `A`) give the same
/// bytes, which the client's request key hashes (SPEC §3).
///
/// Why UTF-16 code units: RFC 8785 (section 3.2.3) sorts names as ECMAScript compares strings,
/// so that every implementation writes the same bytes. Sorting by UTF-8 bytes (the order of
/// Unicode scalars) differs for a name holding a character above U+FFFF against one holding a
/// character in U+E000–U+FFFF (a surrogate pair, D800–DFFF, sorts below E000 in UTF-16), and
/// would give keys no other JCS implementation reproduces. The simulator's uses (its request
/// fingerprint, its prompt-cache prefixes, its structured answers) need only that equal values
/// give equal bytes, which any fixed order gives: they use this order too, so there is one writer.
///
/// ``canonicalBytes(_:)`` is public for the `Benchmarks/` package, which measures it.
public enum Canonicalizer {
    /// The canonical UTF-8 bytes of `value`.
    public static func canonicalBytes(_ value: JSONValue) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        Self.append(value, to: &bytes)
        return bytes
    }

    /// Appends the canonical UTF-8 bytes of `value` to `bytes`.
    static func append(_ value: JSONValue, to bytes: inout [UInt8]) {
        switch value {
        case .null:
            bytes.append(contentsOf: "null".utf8)
        case .bool(let bool):
            bytes.append(contentsOf: bool ? "true".utf8 : "false".utf8)
        case .number(let number):
            Self.appendNumber(number, to: &bytes)
        case .string(let string):
            Self.appendString(string, to: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 {
                    bytes.append(UInt8(ascii: ","))
                }
                Self.append(element, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            Self.appendObject(members, to: &bytes, noting: nil)
        }
    }

    /// The canonical UTF-8 bytes of the object `members`, with where the values of the members
    /// `names` lie in them (nil for a name the object lacks).
    package static func canonicalBytes(
        object members: [String: JSONValue], locating names: [String]
    ) -> (bytes: [UInt8], ranges: [Range<Int>?]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        var ranges = [Range<Int>?](repeating: nil, count: names.count)
        Self.appendObject(members, to: &bytes) { name, range in
            if let index = names.firstIndex(of: name) { ranges[index] = range }
        }
        return (bytes, ranges)
    }

    /// Appends the canonical bytes of an object; `noting` is told where each member's value went.
    private static func appendObject(
        _ members: [String: JSONValue], to bytes: inout [UInt8], noting: ((String, Range<Int>) -> Void)?
    ) {
        bytes.append(UInt8(ascii: "{"))
        let sorted = members.sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
        for (position, member) in sorted.enumerated() {
            if position > 0 {
                bytes.append(UInt8(ascii: ","))
            }
            Self.appendString(member.key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            let start = bytes.count
            Self.append(member.value, to: &bytes)
            noting?(member.key, start..<bytes.count)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Appends `string` as a JSON string literal, quoted, with the escapes RFC 8785 requires
    /// and no others.
    ///
    /// `"` and `\` are escaped, as are the control characters below U+0020: `\b`, `\t`, `\n`,
    /// `\f` and `\r` by name, the others as `\u00xx` in lowercase hexadecimal. Every other
    /// character, `/` and U+007F included, is written as its UTF-8 bytes.
    package static func appendString(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                Self.appendEscape(for: byte, to: &bytes)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(for byte: UInt8, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        default:
            let hexDigits: StaticString = "0123456789abcdef"
            bytes.append(contentsOf: "u00".utf8)
            bytes.append(hexDigits.utf8Start[Int(byte >> 4)])
            bytes.append(hexDigits.utf8Start[Int(byte & 0x0F)])
        }
    }
}
