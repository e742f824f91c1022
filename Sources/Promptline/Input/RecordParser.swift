import Crypto
import PromptlineJSON

/// Turns input lines into records of the three shapes of SPEC §2, with defaults filled in and
/// the idempotency key computed; anything else becomes an ``InvalidRecord`` naming file and line.
public struct RecordParser: Sendable {
    private let defaults: RecordDefaults
    private let decoder = JSONLineDecoder()

    /// A parser that fills what a record leaves out from `defaults`.
    public init(defaults: RecordDefaults) {
        self.defaults = defaults
    }

    /// Parses one non-blank line.
    public func parse(_ line: InputLine) -> ParsedRecord {
        let fallbackID = "line-\(line.number)"
        if let length = line.tooLong {
            return .invalid(
                InvalidRecord(
                    customID: fallbackID, file: line.file, line: line.number,
                    message: "line is \(length) bytes, longer than --max-line-bytes"))
        }
        let value: JSONValue
        do {
            value = try decoder.decode(line.bytes)
        } catch {
            return .invalid(InvalidRecord(customID: fallbackID, file: line.file, line: line.number, message: "\(error)"))
        }
        do {
            return .valid(try record(from: value, line: line))
        } catch let problem as RecordProblem {
            return .invalid(
                InvalidRecord(
                    customID: problem.customID ?? fallbackID, file: line.file, line: line.number, message: problem.message))
        } catch {
            return .invalid(InvalidRecord(customID: fallbackID, file: line.file, line: line.number, message: "\(error)"))
        }
    }

    private struct RecordProblem: Error {
        var customID: String?
        var message: String
    }

    private func record(from value: JSONValue, line: InputLine) throws -> RequestRecord {
        guard case .object(var object) = value else {
            throw RecordProblem(message: "a record must be a JSON object")
        }
        var customID: String
        var params: [String: JSONValue]
        var metadata: [String: JSONValue] = [:]
        var overrideKey: String?
        if let key = object.removeValue(forKey: "idempotency_key") {
            guard case .string(let text) = key, !text.isEmpty else {
                throw RecordProblem(message: "field idempotency_key must be a non-empty string")
            }
            overrideKey = text
        }
        if object["custom_id"] != nil || object["params"] != nil {
            // Message Batches shape.
            guard case .string(let id)? = object["custom_id"], !id.isEmpty else {
                throw RecordProblem(message: "field custom_id must be a non-empty string")
            }
            customID = id
            guard case .object(let body)? = object["params"] else {
                throw RecordProblem(customID: id, message: "field params must be an object (the Messages API body)")
            }
            // The params are the user's contract with the API: sent as given. Fields beside them are the user's.
            params = body
            metadata = object.filter { $0.key != "custom_id" && $0.key != "params" }
            try fill(&params, customID: id, withSystemAndTemperature: false)
        } else if object["prompt"] != nil {
            // Simple shape.
            if let id = object.removeValue(forKey: "id") {
                guard case .string(let text) = id, !text.isEmpty else {
                    throw RecordProblem(message: "field id must be a non-empty string")
                }
                customID = text
            } else {
                customID = "line-\(line.number)"
            }
            guard case .string(let prompt)? = object.removeValue(forKey: "prompt") else {
                throw RecordProblem(customID: customID, message: "field prompt must be a string")
            }
            (params, metadata) = Self.split(object)
            params["messages"] = .array([.object(["role": .string("user"), "content": .string(prompt)])])
            try fill(&params, customID: customID, withSystemAndTemperature: true)
        } else if object["messages"] != nil {
            // A bare Messages API body.
            customID = "line-\(line.number)"
            (params, metadata) = Self.split(object)
            try fill(&params, customID: customID, withSystemAndTemperature: true)
        } else {
            throw RecordProblem(message: "unknown record shape: expected custom_id+params, id+prompt, or messages")
        }
        params.removeValue(forKey: "stream")
        if let schema = defaults.outputSchema { Self.addFormat(schema, to: &params) }
        try validate(params, customID: customID)
        guard case .string(let model)? = params["model"] else { preconditionFailure("validated") }

        let (canonical, ranges) = Canonicalizer.canonicalBytes(object: params, locating: ["messages", "system"])
        return RequestRecord(
            customID: customID, key: overrideKey.map(RequestKey.init(text:)) ?? RequestKey(canonicalBytes: canonical), model: model,
            params: .object(params), body: canonical, file: line.file, line: line.number,
            metadata: metadata.isEmpty ? nil : Canonicalizer.canonicalBytes(.object(metadata)),
            messagesRange: ranges[0], systemRange: ranges[1])
    }

    /// Splits a simple-shape or bare record into the Messages API fields it sets and the user's own
    /// fields (``MessagesAPIFields``); `stream` is dropped.
    static func split(_ object: [String: JSONValue]) -> (params: [String: JSONValue], metadata: [String: JSONValue]) {
        var params: [String: JSONValue] = [:]
        var metadata: [String: JSONValue] = [:]
        for (name, value) in object {
            if MessagesAPIFields.sent.contains(name) {
                params[name] = value
            } else if !MessagesAPIFields.dropped.contains(name) {
                metadata[name] = value
            }
        }
        return (params, metadata)
    }

    /// `--output-schema`, as `output_config.format`, for a record that sets no format of its own
    /// (`output_config.format` or the beta `output_format`); its other `output_config` members stay.
    static func addFormat(_ schema: OutputSchema, to params: inout [String: JSONValue]) {
        guard params["output_format"] == nil else { return }
        switch params["output_config"] {
        case nil:
            params["output_config"] = .object(["format": schema.format])
        case .object(var config)?:
            guard config["format"] == nil || config["format"] == .null else { return }
            config["format"] = schema.format
            params["output_config"] = .object(config)
        default:
            return  // not an object: sent as written, for the API to judge
        }
    }

    private func fill(_ params: inout [String: JSONValue], customID: String, withSystemAndTemperature: Bool) throws {
        if params["model"] == nil, let model = defaults.model { params["model"] = .string(model) }
        if params["max_tokens"] == nil { params["max_tokens"] = .number(Double(defaults.maxTokens)) }
        guard withSystemAndTemperature else { return }
        if params["system"] == nil, let system = defaults.system { params["system"] = .string(system) }
        if params["temperature"] == nil, let temperature = defaults.temperature { params["temperature"] = .number(temperature) }
    }

    private func validate(_ params: [String: JSONValue], customID: String) throws {
        func problem(_ message: String) -> RecordProblem { RecordProblem(customID: customID, message: message) }
        switch params["model"] {
        case .string(let model)? where !model.isEmpty: break
        case nil: throw problem("missing field model (set it in the record or pass --model)")
        default: throw problem("field model must be a non-empty string")
        }
        guard case .number(let maxTokens)? = params["max_tokens"], maxTokens >= 1, maxTokens == maxTokens.rounded() else {
            throw problem("field max_tokens must be a positive integer")
        }
        guard case .array(let messages)? = params["messages"], !messages.isEmpty else {
            throw problem("field messages must be a non-empty array")
        }
        for (index, message) in messages.enumerated() {
            guard case .object(let fields) = message, case .string? = fields["role"] else {
                throw problem("messages[\(index)] must be an object with a string role")
            }
            switch fields["content"] {
            case .string?, .array?: break
            default: throw problem("messages[\(index)].content must be a string or an array of content blocks")
            }
        }
        switch params["system"] {
        case nil, .string?, .array?: break
        default: throw problem("field system must be a string or an array of text blocks")
        }
        switch params["temperature"] {
        case nil, .number?: break
        default: throw problem("field temperature must be a number")
        }
    }
}
