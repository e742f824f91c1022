import PromptlineJSON

extension JSONValue {
    /// A request body as the simulator reads it, or nil when it is not JSON (bad syntax, a bad
    /// escape, invalid UTF-8, nesting deeper than 512, a number beyond a double).
    ///
    /// The client's strict parser, with one difference: an object that names a member twice
    /// keeps the last (``JSONParser/RepeatedNames/lastWins``), since the simulator must not
    /// refuse what the API may accept.
    static func requestBody(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONParser.parse(bytes, repeatedNames: .lastWins)
    }
}
