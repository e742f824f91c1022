import PromptlineJSON

/// Turns output lines into the rows of an RFC 4180 table (`export --format csv --columns …`):
/// a header row of the column names, then one row per output line, each cell the value at a
/// dotted path into the line. Pure and line by line, so an export's memory stays flat.
///
/// A path's components name object members, or index arrays when numeric
/// (`result.message.content.0.text`); the column `id` is the record's id (`custom_id`). A string
/// cell is the string; a number is written as in canonical JSON (RFC 8785), `true`/`false` as
/// such; an object or array is its compact canonical JSON; `null` and a missing path are empty.
/// A field holding a comma, a double quote, CR or LF is quoted, its quotes doubled; rows end in CRLF.
public struct CSVWriter: Sendable {
    /// The column names, as given.
    let columns: [String]
    private let paths: [[String]]

    /// - Parameter columns: dotted paths into the output line, such as `parsed.label`.
    public init(columns: [String]) {
        self.columns = columns
        self.paths = columns.map {
            $0 == "id" ? ["custom_id"] : $0.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// Parses `--columns id,parsed.label,…`: comma-separated, none empty.
    public static func columns(_ list: String) -> [String]? {
        let columns = list.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        guard !columns.isEmpty, columns.allSatisfy({ !$0.isEmpty }) else { return nil }
        return columns
    }

    /// The header row.
    var header: [UInt8] { Self.row(columns) }

    /// The row of one output line (its JSON, with or without the final newline).
    func row(forLine line: [UInt8]) -> [UInt8] {
        var bytes = line[...]
        if bytes.last == 0x0A { bytes = bytes.dropLast() }
        let value = try? JSONLineDecoder().decode(bytes)
        return Self.row(paths.map { path in value.flatMap { Self.cell(at: path, in: $0) } ?? "" })
    }

    /// The text of the value at `path` in `value`, or nil when the path leads nowhere.
    static func cell(at path: [String], in value: JSONValue) -> String? {
        var current = value
        for component in path {
            switch current {
            case .object(let members):
                guard let member = members[component] else { return nil }
                current = member
            case .array(let elements):
                guard let index = Int(component), elements.indices.contains(index) else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        switch current {
        case .null: return nil
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .number, .array, .object: return String(decoding: Canonicalizer.canonicalBytes(current), as: UTF8.self)
        }
    }

    /// One row of `fields`, quoted where RFC 4180 needs it, ending in CRLF.
    static func row(_ fields: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            let utf8 = Array(field.utf8)
            if utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }) {
                bytes.append(UInt8(ascii: "\""))
                for byte in utf8 {
                    if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                    bytes.append(byte)
                }
                bytes.append(UInt8(ascii: "\""))
            } else {
                bytes.append(contentsOf: utf8)
            }
        }
        bytes.append(contentsOf: [0x0D, 0x0A])
        return bytes
    }
}
