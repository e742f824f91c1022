/// One valid input record, ready to be looked up in the store or sent.
public struct RequestRecord: Sendable {
    /// The record's id (`custom_id`, `id`, or `line-N`).
    public var customID: String
    /// The idempotency key: `sha256:…` of the canonical params, or the record's own `idempotency_key`.
    public var key: String
    /// The record's primary model.
    var model: String
    /// The effective Messages API body (without `stream`).
    var params: JSONValue
    /// The canonical (RFC 8785) bytes of `params`: what is hashed and what is sent.
    public var body: [UInt8]
    /// Where the record came from.
    var file: String
    var line: Int
    /// The record's own non-API fields (the user's columns), canonical JSON, for the output line's
    /// `metadata`; nil when it has none. Never sent, never hashed.
    var metadata: [UInt8]?

    init(
        customID: String, key: String, model: String, params: JSONValue, body: [UInt8], file: String, line: Int,
        metadata: [UInt8]? = nil
    ) {
        self.customID = customID
        self.key = key
        self.model = model
        self.params = params
        self.body = body
        self.file = file
        self.line = line
        self.metadata = metadata
    }

    /// Key of the messages and system prompt alone, to find stale answers under other parameters.
    /// Computed on demand: only records that are sent need it, not the ones answered from the store.
    var messagesKey: String {
        var messagesOnly: [String: JSONValue] = [:]
        messagesOnly["messages"] = params["messages"]
        messagesOnly["system"] = params["system"]
        return RequestKey(body: .object(messagesOnly)).rawValue
    }

    /// The request's `max_tokens`.
    var maxTokens: Int {
        if case .number(let value)? = params["max_tokens"] { return Int(value) }
        return 0
    }

    /// The body to send to another model of the degradation chain.
    func body(for model: String) -> [UInt8] {
        guard model != self.model, case .object(var object) = params else { return body }
        object["model"] = .string(model)
        return Canonicalizer.canonicalBytes(.object(object))
    }
}

/// One input line's outcome: a record to process, or an invalid line to annotate.
public enum ParsedRecord: Sendable {
    case valid(RequestRecord)
    case invalid(InvalidRecord)
}

/// An input line that is not a usable record: it still gets its own output line.
public struct InvalidRecord: Sendable, Error, CustomStringConvertible {
    /// The record's id when one could be read, else `line-N`.
    var customID: String
    var file: String
    public var line: Int
    var message: String

    /// The one-line warning: `prompts.jsonl.gz:50: invalid JSON: …`.
    public var description: String { "\(file):\(line): \(message)" }
}
