import Crypto
import Foundation
import PromptlineJSON

/// Structured outputs in the simulator: the API's refusal of schemas it cannot compile, a JSON
/// answer valid under the request's schema (deterministic from the request), cut at
/// `max_tokens` like any answer, and a refusal on the `[[sim:refusal]]` trigger.
///
/// The schema rules are the API's documented limits (`docs/build-with-claude/structured-outputs`):
/// the root an object schema; `additionalProperties: false` on every object; none of the value
/// constraints constrained decoding cannot express; `minItems` 0 or 1; internal, non-recursive
/// `$ref` only; at most 16 parameters with union types and 24 optional properties. Checked here
/// on their own, not with promptline's code, so each side tests the other.
enum SimStructuredAnswer {
    /// The trigger in the last user text that makes the answer a refusal.
    static let refusalTrigger = "[[sim:refusal]]"

    static let unsupportedKeywords = [
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "maxItems",
        "minProperties", "maxProperties",
    ]
    static let types: Set<String> = ["object", "array", "string", "number", "integer", "boolean", "null"]

    /// The request's schema and the field that carries it (`output_config.format` or the beta `output_format`).
    static func format(in request: JSONValue) -> (field: String, format: JSONValue)? {
        if let format = request["output_config"]?["format"], format != .null { return ("output_config.format", format) }
        if let format = request["output_format"], format != .null { return ("output_format", format) }
        return nil
    }

    /// The 400 the API answers a request whose format or schema it refuses, if it would.
    static func schemaError(in request: JSONValue) -> SimAPIError? {
        guard let found = format(in: request) else { return nil }
        let (field, spec) = found
        guard case .object = spec else { return .invalidRequest("\(field): Input should be an object") }
        guard spec["type"]?.stringValue == "json_schema" else { return .invalidRequest("\(field).type: Input should be 'json_schema'") }
        guard let schema = spec["schema"] else { return .invalidRequest("\(field).schema: Field required") }
        return problem(in: schema).map { SimAPIError.invalidRequest("\(field).schema: \($0)") }
    }

    /// Why the API would refuse `schema`, if it would.
    static func problem(in schema: JSONValue) -> String? {
        guard case .object = schema, schema["type"]?.stringValue == "object" else { return "the root schema must have type 'object'" }
        var unions = 0
        var optional = 0
        func visit(_ node: JSONValue, references: [String]) -> String? {
            guard case .object(let members) = node else { return "a schema must be a JSON object" }
            if let reference = members["$ref"] {
                guard let target = reference.stringValue, target.hasPrefix("#/") else {
                    return "only internal references ($ref to #/$defs/…) are supported"
                }
                guard !references.contains(target) else { return "recursive schemas are not supported ($ref \(target))" }
                guard let definition = resolve(target, in: schema) else { return "$ref \(target) names no definition" }
                if let problem = visit(definition, references: references + [target]) { return problem }
            }
            var typeNames: [String] = []
            if let name = members["type"]?.stringValue { typeNames = [name] }
            if let names = members["type"]?.arrayValue {
                typeNames = names.compactMap(\.stringValue)
                if typeNames.count > 1 { unions += 1 }
            }
            if let unknown = typeNames.first(where: { !types.contains($0) }) { return "type '\(unknown)' is not supported" }
            if let keyword = unsupportedKeywords.first(where: { members[$0] != nil }) {
                return "For '\(typeNames.first ?? "schema")' type, property '\(keyword)' is not supported"
            }
            if let minItems = members["minItems"], minItems.intValue != 0 && minItems.intValue != 1 {
                return "For 'array' type, 'minItems' values other than 0 or 1 are not supported"
            }
            if typeNames.contains("object") || members["properties"] != nil {
                switch members["additionalProperties"] {
                case .bool(false)?: break
                case nil: return "For 'object' type, 'additionalProperties' must be explicitly set to false"
                default:
                    return
                        "For 'object' type, 'additionalProperties' other than false is not supported. Please set 'additionalProperties' to false"
                }
                let properties = members["properties"]?.objectValue ?? [:]
                let required = Set((members["required"]?.arrayValue ?? []).compactMap(\.stringValue))
                optional += properties.keys.filter { !required.contains($0) }.count
                for name in properties.keys.sorted() {
                    if let problem = visit(properties[name]!, references: references) { return problem }
                }
            }
            if let items = members["items"], let problem = visit(items, references: references) { return problem }
            for combinator in ["anyOf", "allOf", "oneOf"] {
                guard let branches = members[combinator]?.arrayValue else { continue }
                if combinator != "allOf" && branches.count > 1 { unions += 1 }
                for branch in branches {
                    if let problem = visit(branch, references: references) { return problem }
                }
            }
            return nil
        }
        if let problem = visit(schema, references: []) { return problem }
        if unions > 16 {
            return "Schema is too complex: \(unions) parameters have union types (anyOf or type arrays); at most 16 are supported"
        }
        if optional > 24 { return "Schema is too complex: \(optional) optional parameters; at most 24 are supported" }
        return nil
    }

    /// Makes `message` the answer to a structured request (JSON valid under its schema, cut at
    /// `maxTokens`) or, on ``refusalTrigger``, a refusal; other answers are left as they are.
    static func shape(_ message: inout SimMessage, request: JSONValue, fingerprint: String, userText: String, maxTokens: Int) {
        if userText.contains(refusalTrigger) {
            let text = "I can't help with that request."
            message.content = [SimMessage.TextBlock(text: text)]
            message.usage.outputTokens = min(maxTokens, max(1, text.utf8.count / 4))
            message.stopReason = "refusal"
            message.stopDetails = .object([
                "type": .string("refusal"), "category": .null,
                "explanation": .string("The simulator refuses requests whose last user text holds \(refusalTrigger)."),
            ])
            return
        }
        guard let schema = format(in: request)?.format["schema"] else { return }
        let answer = value(for: schema, root: schema, seed: fingerprint, path: "", userText: userText)
        var text = String(decoding: Canonicalizer.canonicalBytes(answer), as: UTF8.self)
        var outputTokens = max(1, text.utf8.count / 4)
        message.stopReason = "end_turn"
        if outputTokens > maxTokens {
            text = SimulatedModel.prefix(of: text, bytes: maxTokens * 4)
            outputTokens = maxTokens
            message.stopReason = "max_tokens"
        }
        message.content = [SimMessage.TextBlock(text: text)]
        message.usage.outputTokens = outputTokens
    }

    /// A value valid under `schema`, drawn from the request's fingerprint and the path in the value.
    static func value(for schema: JSONValue, root: JSONValue, seed: String, path: String, userText: String) -> JSONValue {
        let draw = unit(seed: seed, path: path)
        if let target = schema["$ref"]?.stringValue, let definition = resolve(target, in: root) {
            return value(for: definition, root: root, seed: seed, path: path, userText: userText)
        }
        if let constant = schema["const"] { return constant }
        if let choices = schema["enum"]?.arrayValue, !choices.isEmpty { return choices[Int(draw * Double(choices.count))] }
        for combinator in ["anyOf", "oneOf", "allOf"] {
            if let branches = schema[combinator]?.arrayValue, !branches.isEmpty {
                let branch = combinator == "allOf" ? branches[0] : branches[Int(draw * Double(branches.count))]
                return value(for: branch, root: root, seed: seed, path: path + "/" + combinator, userText: userText)
            }
        }
        let typeNames = schema["type"]?.stringValue.map { [$0] } ?? schema["type"]?.arrayValue?.compactMap(\.stringValue) ?? []
        switch typeNames.first(where: { $0 != "null" }) ?? typeNames.first ?? (schema["properties"] != nil ? "object" : "string") {
        case "object":
            var members: [String: JSONValue] = [:]
            let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
            for (name, property) in schema["properties"]?.objectValue ?? [:] {
                let childPath = path + "/" + name
                if required.contains(name) || unit(seed: seed, path: childPath + "?") < 0.5 {
                    members[name] = value(for: property, root: root, seed: seed, path: childPath, userText: userText)
                }
            }
            return .object(members)
        case "array":
            let count = schema["items"] == nil ? 0 : 1 + Int(draw * 3)
            return .array(
                (0..<count).map { index in
                    value(for: schema["items"]!, root: root, seed: seed, path: "\(path)/\(index)", userText: userText)
                })
        case "integer":
            return .number(Double(Int(draw * 100)))
        case "number":
            return .number((draw * 100).rounded() / 100)
        case "boolean":
            return .bool(draw < 0.5)
        case "null":
            return .null
        default:
            return .string(string(format: schema["format"]?.stringValue, draw: draw, userText: userText))
        }
    }

    /// A string for `format` (the formats the API supports), else the start of the user's text.
    private static func string(format: String?, draw: Double, userText: String) -> String {
        let number = Int(draw * 10_000)
        switch format {
        case "date-time": return "2026-01-01T00:00:00Z"
        case "date": return "2026-01-01"
        case "time": return "12:00:00"
        case "duration": return "PT\(number % 60 + 1)M"
        case "email": return "sim\(number)@example.com"
        case "hostname": return "sim\(number).example.com"
        case "uri": return "https://example.com/sim/\(number)"
        case "ipv4": return "192.0.2.\(number % 256)"
        case "ipv6": return "2001:db8::\(number % 65_536)"
        case "uuid":
            let digits = String(number)
            return "00000000-0000-4000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits
        default:
            let words = userText.replacingOccurrences(of: "\n", with: " ").prefix(48)
            return words.isEmpty ? "sim \(number)" : "about: \(words)"
        }
    }

    /// The definition a `#/$defs/NAME` (or `#/definitions/NAME`) pointer names.
    private static func resolve(_ pointer: String, in root: JSONValue) -> JSONValue? {
        var node: JSONValue? = root
        for token in pointer.dropFirst(2).split(separator: "/") {
            node = node?[token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")]
        }
        return node
    }

    /// A number in 0..<1 from SHA-256 of the request's fingerprint and a path in the answer.
    private static func unit(seed: String, path: String) -> Double {
        let digest = Array(SHA256.hash(data: Array("\(seed)|\(path)".utf8)))
        var value: UInt64 = 0
        for byte in digest.prefix(8) { value = value << 8 | UInt64(byte) }
        return Double(value >> 11) / Double(1 << 53)
    }
}
