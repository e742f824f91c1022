import Foundation
import PromptlineJSON

/// The JSON Schema of `--output-schema FILE`, read and checked once before a job sends anything,
/// as the `output_config.format` it adds to every record that sets no format of its own.
public struct OutputSchema: Sendable, Hashable, Codable {
    /// The schema as the file holds it.
    let schema: JSONValue

    /// Checks `schema` against the API's limits (``SchemaChecker``).
    init(schema: JSONValue, path: String) throws(OutputSchemaError) {
        if let problem = SchemaChecker.problem(in: schema) {
            throw OutputSchemaError(code: .refusedByAPI, path: path, message: problem.description)
        }
        self.schema = schema
    }

    /// Reads and checks the schema in the file at `path`.
    ///
    /// - Throws: ``OutputSchemaError`` naming the file: unreadable, not JSON, or refused by the API's rules.
    public static func load(path: String) throws(OutputSchemaError) -> OutputSchema {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OutputSchemaError(code: .unreadable, path: path, message: "no such readable file")
        }
        let value: JSONValue
        do {
            value = try JSONLineDecoder().decode(Array(data))
        } catch {
            throw OutputSchemaError(code: .invalidJSON, path: path, message: error.description)
        }
        return try OutputSchema(schema: value, path: path)
    }

    /// `{"type":"json_schema","schema":…}`: the value of `output_config.format`.
    var format: JSONValue {
        .object(["type": .string("json_schema"), "schema": schema])
    }

    /// A digest of the schema, for the job's fingerprint.
    var digest: String { RequestKey(body: schema).rawValue }
}
