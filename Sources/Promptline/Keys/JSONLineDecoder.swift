import PromptlineJSON

/// Decodes one input line into a ``JSONValue``.
///
/// The line must be exactly one JSON value (RFC 8259, strictly: no trailing comma, no
/// comment, no repeated member name) in UTF-8. A fault is reported as an
/// ``InvalidJSONError`` naming it and its byte offset in the line, such as
/// `invalid JSON: unexpected character 'x' where a member name was expected at byte 9`.
///
/// It reads with `JSONParser` (the `PromptlineJSON` module), not `JSONDecoder`: see there why.
/// `JSONValue` stays `Codable` for types that embed it.
struct JSONLineDecoder: Sendable {
    /// Creates a decoder.
    init() {}

    /// Decodes `line`, which holds exactly one JSON value and no line terminator.
    ///
    /// - Throws: ``InvalidJSONError`` naming the fault and its byte offset in the line.
    func decode(_ line: [UInt8]) throws(InvalidJSONError) -> JSONValue {
        try JSONParser.parse(line)
    }

    /// Decodes `line`, which holds exactly one JSON value and no line terminator.
    ///
    /// - Throws: ``InvalidJSONError`` naming the fault and its byte offset in the slice.
    func decode(_ line: ArraySlice<UInt8>) throws(InvalidJSONError) -> JSONValue {
        try line.withUnsafeBufferPointer { bytes throws(InvalidJSONError) in try JSONParser.parse(bytes) }
    }
}
