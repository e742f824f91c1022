import Foundation
import PromptlineJSON

/// The API's documented limits for a structured-outputs JSON Schema
/// (`docs/build-with-claude/structured-outputs`), checked before a job sends anything so that a
/// schema the API refuses gives one error, not one refused request per record.
///
/// Refused: a root that is not an object schema; an object schema without
/// `additionalProperties: false`; the value constraints constrained decoding cannot express
/// (`minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`, `minLength`,
/// `maxLength`, `maxItems`, `minProperties`, `maxProperties`, `minItems` other than 0 or 1);
/// external or recursive `$ref`; an unknown `type`; more than ``maxUnionParameters`` parameters
/// with union types (`anyOf` or a type array); more than ``maxOptionalParameters`` optional
/// properties. The messages follow the API's wording where it is known.
struct SchemaChecker: Sendable {
    /// A schema the API would refuse: the API's reason and where in the schema (a JSON Pointer).
    struct Problem: Sendable, Equatable, CustomStringConvertible {
        var message: String
        var pointer: String

        var description: String { pointer.isEmpty ? message : "\(message) (at \(pointer))" }
    }

    /// The most parameters with union types the API compiles.
    static let maxUnionParameters = 16
    /// The most optional properties the API compiles ("Schema is too complex").
    static let maxOptionalParameters = 24

    static let unsupportedKeywords = [
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "maxItems",
        "minProperties", "maxProperties",
    ]
    static let types: Set<String> = ["object", "array", "string", "number", "integer", "boolean", "null"]

    /// The first problem of `schema`, or nil when the API would accept it.
    static func problem(in schema: JSONValue) -> Problem? {
        guard case .object(let root) = schema else {
            return Problem(message: "the schema must be a JSON object", pointer: "")
        }
        guard case .string("object")? = root["type"] else {
            return Problem(message: "the root schema must have type 'object'", pointer: "")
        }
        var walk = Walk(definitions: Self.definitions(in: root))
        if let problem = walk.visit(schema, pointer: "", references: []) { return problem }
        if walk.unionParameters > maxUnionParameters {
            return Problem(
                message:
                    "Schema is too complex: \(walk.unionParameters) parameters have union types (anyOf or type arrays); at most \(maxUnionParameters) are supported",
                pointer: "")
        }
        if walk.optionalParameters > maxOptionalParameters {
            return Problem(
                message:
                    "Schema is too complex: \(walk.optionalParameters) optional parameters; at most \(maxOptionalParameters) are supported",
                pointer: "")
        }
        return nil
    }

    /// `$defs` and `definitions` members of the root, by the pointer a `$ref` names them with.
    private static func definitions(in root: [String: JSONValue]) -> [String: JSONValue] {
        var found: [String: JSONValue] = [:]
        for container in ["$defs", "definitions"] {
            for (name, value) in root[container]?.objectValue ?? [:] { found["#/\(container)/\(name)"] = value }
        }
        return found
    }

    /// One pass over the schema tree, counting what the API counts.
    private struct Walk {
        let definitions: [String: JSONValue]
        var unionParameters = 0
        var optionalParameters = 0

        /// `references`: the `$ref`s being followed, to find a recursive schema.
        mutating func visit(_ value: JSONValue, pointer: String, references: [String]) -> Problem? {
            guard case .object(let members) = value else {
                if case .bool = value { return nil }
                return Problem(message: "a schema must be a JSON object", pointer: pointer)
            }
            if let reference = members["$ref"] {
                guard case .string(let target) = reference, target.hasPrefix("#/") else {
                    return Problem(message: "only internal references ($ref to #/$defs/…) are supported", pointer: pointer)
                }
                guard !references.contains(target) else {
                    return Problem(message: "recursive schemas are not supported ($ref \(target))", pointer: pointer)
                }
                guard let definition = definitions[target] else {
                    return Problem(message: "$ref \(target) names no definition", pointer: pointer)
                }
                if let problem = visit(definition, pointer: String(target.dropFirst()), references: references + [target]) {
                    return problem
                }
            }
            var typeNames: [String] = []
            switch members["type"] {
            case .string(let name)?: typeNames = [name]
            case .array(let names)?:
                typeNames = names.compactMap(\.stringValue)
                if typeNames.count > 1 { unionParameters += 1 }
            default: break
            }
            for name in typeNames where !SchemaChecker.types.contains(name) {
                return Problem(message: "type '\(name)' is not supported", pointer: pointer)
            }
            let typeLabel = typeNames.first ?? "schema"
            for keyword in SchemaChecker.unsupportedKeywords where members[keyword] != nil {
                return Problem(message: "For '\(typeLabel)' type, property '\(keyword)' is not supported", pointer: pointer)
            }
            if let minItems = members["minItems"], minItems != .number(0), minItems != .number(1) {
                return Problem(message: "For 'array' type, 'minItems' values other than 0 or 1 are not supported", pointer: pointer)
            }
            if typeNames.contains("object") || members["properties"] != nil {
                switch members["additionalProperties"] {
                case .bool(false)?: break
                case nil:
                    return Problem(message: "For 'object' type, 'additionalProperties' must be explicitly set to false", pointer: pointer)
                default:
                    return Problem(
                        message:
                            "For 'object' type, 'additionalProperties' other than false is not supported. Please set 'additionalProperties' to false",
                        pointer: pointer)
                }
                let properties = members["properties"]?.objectValue ?? [:]
                let required = Set((members["required"]?.arrayValue ?? []).compactMap(\.stringValue))
                optionalParameters += properties.keys.filter { !required.contains($0) }.count
                for name in properties.keys.sorted() {
                    if let problem = visit(properties[name]!, pointer: pointer + "/properties/" + escape(name), references: references) {
                        return problem
                    }
                }
            }
            if let items = members["items"] {
                if let problem = visit(items, pointer: pointer + "/items", references: references) { return problem }
            }
            for combinator in ["anyOf", "allOf", "oneOf"] {
                guard let branches = members[combinator]?.arrayValue else { continue }
                if combinator != "allOf" && branches.count > 1 { unionParameters += 1 }
                for (index, branch) in branches.enumerated() {
                    if let problem = visit(branch, pointer: "\(pointer)/\(combinator)/\(index)", references: references) { return problem }
                }
            }
            return nil
        }

        /// A property name as a JSON Pointer token (RFC 6901).
        private func escape(_ name: String) -> String {
            name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        }
    }
}
