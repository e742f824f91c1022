import Crypto
import PromptlineJSON

/// One valid input record, ready to be looked up in the store or sent.
public struct RequestRecord: Sendable {
    /// The record's id (`custom_id`, `id`, or `line-N`).
    public var customID: String
    /// The idempotency key: `sha256:…` of the canonical params, or the record's own `idempotency_key`.
    public var key: RequestKey
    /// The record's primary model.
    var model: String
    /// The effective Messages API body (without `stream`).
    let params: JSONValue
    /// The canonical (RFC 8785) bytes of `params`: what is hashed and what is sent.
    public let body: [UInt8]
    /// Where the record came from.
    var file: String
    var line: Int
    /// The record's own non-API fields (the user's columns), canonical JSON, for the output line's
    /// `metadata`; nil when it has none. Never sent, never hashed.
    var metadata: [UInt8]?
    /// The request's `max_tokens`.
    let maxTokens: Int
    /// Where the canonical `messages` and `system` values lie in `body`, when the parser noted it.
    private let messagesRange: Range<Int>?
    private let systemRange: Range<Int>?

    /// Creates a record; `messagesRange` and `systemRange` say where those members' values lie in
    /// `body`, which must then be the canonical bytes of `params`.
    init(
        customID: String, key: RequestKey, model: String, params: JSONValue, body: [UInt8], file: String, line: Int,
        metadata: [UInt8]? = nil, messagesRange: Range<Int>? = nil, systemRange: Range<Int>? = nil
    ) {
        self.customID = customID
        self.key = key
        self.model = model
        self.params = params
        self.body = body
        self.file = file
        self.line = line
        self.metadata = metadata
        if case .number(let value)? = params["max_tokens"] { self.maxTokens = Int(value) } else { self.maxTokens = 0 }
        self.messagesRange = messagesRange
        self.systemRange = systemRange
    }

    /// Key of the messages and system prompt alone, to find stale answers under other parameters:
    /// the key of `{"messages": …, "system": …}`.
    ///
    /// Computed on demand (only records that are sent need it), from the slices of the canonical
    /// body that hold those values: the canonical form of `{"messages":M,"system":S}` is
    /// `{"messages":` + canonical M + `,"system":` + canonical S + `}`, so nothing is
    /// canonicalized twice.
    var messagesKey: String {
        guard let messagesRange else {
            var messagesOnly: [String: JSONValue] = [:]
            messagesOnly["messages"] = params["messages"]
            messagesOnly["system"] = params["system"]
            return RequestKey(body: .object(messagesOnly)).rawValue
        }
        var hasher = SHA256()
        hasher.update(data: Array(#"{"messages":"#.utf8))
        body.withUnsafeBytes { body in
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: body[messagesRange]))
            if let systemRange {
                hasher.update(data: Array(#","system":"#.utf8))
                hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: body[systemRange]))
            }
        }
        hasher.update(data: [UInt8(ascii: "}")])
        return RequestKey(digest: hasher.finalize()).rawValue
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
    /// The line's number in its file, from 1.
    public var line: Int
    var message: String

    /// The one-line warning: `prompts.jsonl.gz:50: invalid JSON: …`.
    public var description: String { "\(file):\(line): \(message)" }
}
