/// A strict RFC 8259 parser of one JSON text into a ``JSONValue``, with UTF-8 validation: the
/// client's input lines and response bodies, and the simulator's request bodies.
///
/// It stands in for `JSONDecoder`, which on Linux decodes an untyped value some twenty times
/// slower (every kind it tries and misses throws; `make bench`: 0.7 µs against 13.5 µs for a
/// 120-byte input line), accepts some texts that are not JSON (a trailing comma), keeps the
/// first of two members with one name, and reports every fault as "The given data was not valid
/// JSON." with no position. Here a fault is named with its byte offset.
public struct JSONParser: ~Copyable {
    /// What an object that names a member twice is.
    public enum RepeatedNames: Sendable {
        /// A fault: the value it meant is ambiguous. The client reads input lines so, and
        /// responses.
        case refused
        /// The last of the members wins. The simulator reads request bodies so, as it always
        /// has: the API's notes (`shared/API-NOTES.md`) do not say that the API refuses them, and
        /// the simulator must not refuse what the API may accept; promptline never sends one.
        case lastWins
    }

    /// The deepest nesting of arrays and objects accepted, as `JSONDecoder`'s.
    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private let repeatedNames: RepeatedNames
    private var index = 0
    private var depth = 0

    private init(bytes: UnsafeBufferPointer<UInt8>, repeatedNames: RepeatedNames) {
        self.bytes = bytes
        self.repeatedNames = repeatedNames
    }

    /// The value `bytes` hold, which must be exactly one JSON value (white space around it
    /// allowed).
    ///
    /// - Throws: ``InvalidJSONError`` naming the fault and its byte offset in `bytes`.
    public static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, repeatedNames: RepeatedNames = .refused
    ) throws(InvalidJSONError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, repeatedNames: repeatedNames)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index < parser.bytes.count {
            throw parser.unexpected("after the JSON value")
        }
        return value
    }

    /// The value `bytes` hold, which must be exactly one JSON value (white space around it
    /// allowed).
    ///
    /// - Throws: ``InvalidJSONError`` naming the fault and its byte offset in `bytes`.
    package static func parse(_ bytes: [UInt8], repeatedNames: RepeatedNames = .refused) throws(InvalidJSONError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer throws(InvalidJSONError) in try Self.parse(buffer, repeatedNames: repeatedNames) }
    }

    private mutating func parseValue() throws(InvalidJSONError) -> JSONValue {
        guard self.index < self.bytes.count else {
            throw self.fault("unexpected end of line")
        }
        switch self.bytes[self.index] {
        case UInt8(ascii: "{"): return .object(try self.parseObject())
        case UInt8(ascii: "["): return .array(try self.parseArray())
        case UInt8(ascii: "\""): return .string(try self.parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try self.parseNumber())
        case UInt8(ascii: "t"):
            try self.parseLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try self.parseLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try self.parseLiteral("null")
            return .null
        default: throw self.unexpected()
        }
    }

    private mutating func parseObject() throws(InvalidJSONError) -> [String: JSONValue] {
        try self.enterContainer()
        self.index += 1
        self.skipWhitespace()
        if self.peek() == UInt8(ascii: "}") {
            self.index += 1
            self.depth -= 1
            return [:]
        }
        // Members are gathered in order and the dictionary built once at its final size: growing
        // it member by member rehashed it at every doubling.
        var pairs: [(name: String, value: JSONValue, offset: Int)] = []
        pairs.reserveCapacity(8)
        while true {
            guard self.peek() == UInt8(ascii: "\"") else {
                throw self.unexpected("where a member name was expected")
            }
            let nameStart = self.index
            let name = try self.parseString()
            self.skipWhitespace()
            guard self.peek() == UInt8(ascii: ":") else {
                throw self.unexpected("where ':' was expected")
            }
            self.index += 1
            self.skipWhitespace()
            pairs.append((name, try self.parseValue(), nameStart))
            self.skipWhitespace()
            switch self.peek() {
            case UInt8(ascii: ","):
                self.index += 1
                self.skipWhitespace()
            case UInt8(ascii: "}"):
                self.index += 1
                self.depth -= 1
                var members = [String: JSONValue](minimumCapacity: pairs.count)
                for (name, value, offset) in pairs
                where members.updateValue(value, forKey: name) != nil && self.repeatedNames == .refused {
                    throw InvalidJSONError(
                        code: .invalidJSON, byteOffset: offset, reason: "member name \"\(name.prefix(40))\" repeated")
                }
                return members
            default:
                throw self.unexpected("where ',' or '}' was expected")
            }
        }
    }

    private mutating func parseArray() throws(InvalidJSONError) -> [JSONValue] {
        try self.enterContainer()
        self.index += 1
        self.skipWhitespace()
        var elements: [JSONValue] = []
        if self.peek() == UInt8(ascii: "]") {
            self.index += 1
            self.depth -= 1
            return elements
        }
        while true {
            elements.append(try self.parseValue())
            self.skipWhitespace()
            switch self.peek() {
            case UInt8(ascii: ","):
                self.index += 1
                self.skipWhitespace()
            case UInt8(ascii: "]"):
                self.index += 1
                self.depth -= 1
                return elements
            default:
                throw self.unexpected("where ',' or ']' was expected")
            }
        }
    }

    private mutating func enterContainer() throws(InvalidJSONError) {
        self.depth += 1
        if self.depth > Self.maximumDepth {
            throw self.fault("arrays and objects nested deeper than \(Self.maximumDepth) levels")
        }
    }

    /// Parses a string literal; the index is at its opening quote.
    private mutating func parseString() throws(InvalidJSONError) -> String {
        let start = self.index
        self.index += 1
        // The common case: no escape, so the string is the bytes between the quotes.
        var runStart = self.index
        var unescaped: [UInt8] = []
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            switch byte {
            case UInt8(ascii: "\""):
                let run = UnsafeBufferPointer(rebasing: self.bytes[runStart..<self.index])
                self.index += 1
                if unescaped.isEmpty {
                    return String(decoding: run, as: UTF8.self)
                }
                unescaped.append(contentsOf: run)
                return String(decoding: unescaped, as: UTF8.self)
            case UInt8(ascii: "\\"):
                unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: self.bytes[runStart..<self.index]))
                try self.parseEscape(into: &unescaped)
                runStart = self.index
            case 0..<0x20:
                throw self.fault("unescaped control character \(Self.hex(byte)) in a string")
            case 0x80...:
                try self.validateUTF8Scalar()
            default:
                self.index += 1
            }
        }
        throw InvalidJSONError(code: .invalidJSON, byteOffset: start, reason: "unterminated string")
    }

    /// Parses an escape sequence, appending the UTF-8 of the character it stands for.
    private mutating func parseEscape(into unescaped: inout [UInt8]) throws(InvalidJSONError) {
        let start = self.index
        self.index += 1
        guard self.index < self.bytes.count else {
            throw self.fault("unexpected end of line")
        }
        let replacement: UInt8
        switch self.bytes[self.index] {
        case UInt8(ascii: "\""): replacement = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): replacement = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): replacement = UInt8(ascii: "/")
        case UInt8(ascii: "b"): replacement = 0x08
        case UInt8(ascii: "f"): replacement = 0x0C
        case UInt8(ascii: "n"): replacement = 0x0A
        case UInt8(ascii: "r"): replacement = 0x0D
        case UInt8(ascii: "t"): replacement = 0x09
        case UInt8(ascii: "u"):
            self.index += 1
            let unit = try self.readHexQuad(escapeStart: start)
            var scalarValue = UInt32(unit)
            switch unit {
            case 0xD800...0xDBFF:
                let lowStart = self.index
                guard self.peek() == UInt8(ascii: "\\"), self.peek(offset: 1) == UInt8(ascii: "u") else {
                    throw InvalidJSONError(
                        code: .invalidJSON, byteOffset: start, reason: "unpaired surrogate escape")
                }
                self.index += 2
                let low = try self.readHexQuad(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw InvalidJSONError(
                        code: .invalidJSON, byteOffset: start, reason: "unpaired surrogate escape")
                }
                scalarValue = 0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00)
            case 0xDC00...0xDFFF:
                throw InvalidJSONError(
                    code: .invalidJSON, byteOffset: start, reason: "unpaired surrogate escape")
            default:
                break
            }
            // Not a surrogate, so a valid scalar.
            unescaped.append(contentsOf: UTF8.encode(Unicode.Scalar(scalarValue)!)!)
            return
        default:
            throw InvalidJSONError(code: .invalidJSON, byteOffset: start, reason: "invalid escape sequence")
        }
        unescaped.append(replacement)
        self.index += 1
    }

    private mutating func readHexQuad(escapeStart: Int) throws(InvalidJSONError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard self.index < self.bytes.count else {
                throw self.fault("unexpected end of line")
            }
            let byte = self.bytes[self.index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default:
                throw InvalidJSONError(
                    code: .invalidJSON, byteOffset: escapeStart, reason: "invalid \\u escape sequence")
            }
            value = value << 4 | UInt16(digit)
            self.index += 1
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence (RFC 3629: no overlong forms, no surrogates,
    /// nothing above U+10FFFF).
    private mutating func validateUTF8Scalar() throws(InvalidJSONError) {
        let lead = self.bytes[self.index]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: throw self.invalidUTF8()
        }
        for offset in 1..<length {
            guard self.index + offset < self.bytes.count else { throw self.invalidUTF8() }
            let byte = self.bytes[self.index + offset]
            let range = offset == 1 ? lower...upper : 0x80...0xBF
            guard range.contains(byte) else { throw self.invalidUTF8() }
        }
        self.index += length
    }

    private mutating func parseNumber() throws(InvalidJSONError) -> Double {
        let start = self.index
        if self.peek() == UInt8(ascii: "-") {
            self.index += 1
        }
        var significantDigits = false
        switch self.peek() ?? 0 {
        case UInt8(ascii: "0"):
            self.index += 1
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            significantDigits = true
            self.skipDigits()
        default:
            throw self.peek() == nil ? self.fault("unexpected end of line") : self.unexpected("in a number")
        }
        let hasFraction = self.peek() == UInt8(ascii: ".")
        if hasFraction {
            self.index += 1
            guard self.skipDigits(noting: &significantDigits) else {
                throw self.peek() == nil ? self.fault("unexpected end of line") : self.unexpected("in a number")
            }
        }
        var hasExponent = false
        if self.peek() == UInt8(ascii: "e") || self.peek() == UInt8(ascii: "E") {
            hasExponent = true
            self.index += 1
            if self.peek() == UInt8(ascii: "+") || self.peek() == UInt8(ascii: "-") {
                self.index += 1
            }
            var unused = false
            guard self.skipDigits(noting: &unused) else {
                throw self.peek() == nil ? self.fault("unexpected end of line") : self.unexpected("in a number")
            }
        }
        let literal = UnsafeBufferPointer(rebasing: self.bytes[start..<self.index])
        // Up to 15 digits and no fraction or exponent: an integer a Double holds exactly.
        if !hasFraction, !hasExponent, literal.count <= 15 {
            var magnitude = 0
            for byte in literal where byte != UInt8(ascii: "-") {
                magnitude = magnitude * 10 + Int(byte &- UInt8(ascii: "0"))
            }
            return literal[0] == UInt8(ascii: "-") ? -Double(magnitude) : Double(magnitude)
        }
        let text = String(decoding: literal, as: UTF8.self)
        // The grammar above admits only what `Double(_:)` reads; it rounds correctly.
        let value = Double(text) ?? .infinity
        if !value.isFinite || (value == 0 && significantDigits) {
            throw InvalidJSONError(
                code: .invalidJSON, byteOffset: start,
                reason: "number \(text.prefix(40)) is out of the range of a double")
        }
        return value
    }

    private mutating func skipDigits() {
        var unused = false
        _ = self.skipDigits(noting: &unused)
    }

    /// Skips decimal digits; returns whether there was at least one and notes a non-zero one.
    private mutating func skipDigits(noting nonZero: inout Bool) -> Bool {
        let start = self.index
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { break }
            if byte != UInt8(ascii: "0") {
                nonZero = true
            }
            self.index += 1
        }
        return self.index > start
    }

    private mutating func parseLiteral(_ literal: StaticString) throws(InvalidJSONError) {
        let count = literal.utf8CodeUnitCount
        for offset in 0..<count {
            guard self.index < self.bytes.count else {
                throw self.fault("unexpected end of line")
            }
            guard self.bytes[self.index] == literal.utf8Start[offset] else {
                throw self.unexpected()
            }
            self.index += 1
        }
    }

    private mutating func skipWhitespace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                self.index += 1
            default:
                return
            }
        }
    }

    private func peek(offset: Int = 0) -> UInt8? {
        let position = self.index + offset
        return position < self.bytes.count ? self.bytes[position] : nil
    }

    private func fault(_ reason: String) -> InvalidJSONError {
        InvalidJSONError(code: .invalidJSON, byteOffset: self.index, reason: reason)
    }

    /// The fault for the byte at the current index, which is not what the grammar allows here.
    private func unexpected(_ context: String? = nil) -> InvalidJSONError {
        guard self.index < self.bytes.count else {
            return self.fault("unexpected end of line")
        }
        let byte = self.bytes[self.index]
        if byte >= 0x80, Self.isInvalidUTF8Lead(byte, in: self.bytes, at: self.index) {
            return self.invalidUTF8()
        }
        let shown: String
        if byte > 0x20, byte < 0x7F {
            shown = "character '\(Character(Unicode.Scalar(byte)))'"
        } else {
            shown = "byte \(Self.hex(byte))"
        }
        guard let context else {
            return self.fault("unexpected \(shown)")
        }
        return self.fault("unexpected \(shown) \(context)")
    }

    private func invalidUTF8() -> InvalidJSONError {
        InvalidJSONError(
            code: .invalidUTF8, byteOffset: self.index,
            reason: "malformed sequence starting with \(Self.hex(self.bytes[self.index]))")
    }

    private static func isInvalidUTF8Lead(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        var probe = JSONParser(bytes: bytes, repeatedNames: .refused)
        probe.index = index
        do {
            try probe.validateUTF8Scalar()
            return false
        } catch {
            return true
        }
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: false)
        return "0x" + (digits.count == 1 ? "0" + digits : digits)
    }
}
