import Foundation

/// Parses one line of a batch's results JSONL (`{"custom_id":…,"result":{…}}`) into a
/// ``BatchResultEntry``, keeping the message and error bodies byte for byte as the API sent them.
enum BatchResultParser {
    /// Error types a new batch may well fix: the API's transient failures.
    static let transientErrorTypes: Set<String> = [
        "api_error", "overloaded_error", "rate_limit_error", "timeout_error", "conflict_error",
    ]

    /// Why a results line could not be read.
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    private static let decoder = JSONDecoder()

    static func parse(_ line: ArraySlice<UInt8>) throws(Failure) -> BatchResultEntry {
        let bytes = Array(line)
        guard let members = JSONSlice.members(bytes, 0..<bytes.count) else { throw Failure(message: "a results line is not a JSON object") }
        guard let idRange = members["custom_id"], let customID = try? decoder.decode(String.self, from: Data(bytes[idRange])) else {
            throw Failure(message: "a results line has no custom_id")
        }
        guard let resultRange = members["result"], let result = JSONSlice.members(bytes, resultRange),
            let typeRange = result["type"], let type = try? decoder.decode(String.self, from: Data(bytes[typeRange]))
        else { throw Failure(message: "results line \(customID) has no result.type") }
        switch type {
        case "succeeded":
            guard let messageRange = result["message"] else {
                throw Failure(message: "results line \(customID): succeeded without message")
            }
            let message = Array(bytes[messageRange])
            guard let decoded = MessageResponse.parse(message), decoded.type == "message" else {
                throw Failure(message: "results line \(customID): the message is not a Messages API response")
            }
            return BatchResultEntry(
                customID: customID,
                outcome: .succeeded(message: message, model: decoded.model, tokens: decoded.usage.tokens))
        case "errored":
            guard let errorRange = result["error"] else { throw Failure(message: "results line \(customID): errored without error") }
            let body = Array(bytes[errorRange])
            let errorType = (try? decoder.decode(ErrorResponse.self, from: Data(body)))?.error.type ?? "api_error"
            if transientErrorTypes.contains(errorType) {
                return BatchResultEntry(customID: customID, outcome: .retry(type: errorType))
            }
            return BatchResultEntry(customID: customID, outcome: .failed(errorBody: body, errorType: errorType))
        case "expired", "canceled":
            return BatchResultEntry(customID: customID, outcome: .retry(type: type))
        default:
            throw Failure(message: "results line \(customID): unknown result type \(type)")
        }
    }
}

/// Finds the members of a JSON object without decoding them: each value's byte range, so a
/// nested object can be kept exactly as sent.
enum JSONSlice {
    /// The members of the object in `bytes[range]` (surrounding white space allowed), by key;
    /// nil when it is not an object.
    static func members(_ bytes: [UInt8], _ range: Range<Int>) -> [String: Range<Int>]? {
        var index = skipSpace(bytes, range.lowerBound, range.upperBound)
        guard index < range.upperBound, bytes[index] == 0x7B else { return nil }
        index += 1
        var result: [String: Range<Int>] = [:]
        index = skipSpace(bytes, index, range.upperBound)
        if index < range.upperBound, bytes[index] == 0x7D { return result }
        while index < range.upperBound {
            guard bytes[index] == 0x22, let keyEnd = stringEnd(bytes, index, range.upperBound) else { return nil }
            let key = String(decoding: bytes[(index + 1)..<(keyEnd - 1)], as: UTF8.self)
            index = skipSpace(bytes, keyEnd, range.upperBound)
            guard index < range.upperBound, bytes[index] == 0x3A else { return nil }
            index = skipSpace(bytes, index + 1, range.upperBound)
            guard let valueEnd = valueEnd(bytes, index, range.upperBound) else { return nil }
            result[key] = index..<valueEnd
            index = skipSpace(bytes, valueEnd, range.upperBound)
            guard index < range.upperBound else { return nil }
            if bytes[index] == 0x7D { return result }
            guard bytes[index] == 0x2C else { return nil }
            index = skipSpace(bytes, index + 1, range.upperBound)
        }
        return nil
    }

    private static func skipSpace(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Int {
        var index = start
        while index < end, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D { index += 1 }
        return index
    }

    /// The index just after the string starting at `start` (a quote).
    private static func stringEnd(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Int? {
        var index = start + 1
        while index < end {
            switch bytes[index] {
            case 0x5C: index += 2
            case 0x22: return index + 1
            default: index += 1
            }
        }
        return nil
    }

    /// The index just after the value starting at `start`.
    private static func valueEnd(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Int? {
        guard start < end else { return nil }
        switch bytes[start] {
        case 0x22:
            return stringEnd(bytes, start, end)
        case 0x7B, 0x5B:
            var depth = 0
            var index = start
            while index < end {
                switch bytes[index] {
                case 0x22:
                    guard let after = stringEnd(bytes, index, end) else { return nil }
                    index = after
                    continue
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default: break
                }
                index += 1
            }
            return nil
        default:
            var index = start
            while index < end, ![0x2C, 0x7D, 0x5D, 0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
            return index > start ? index : nil
        }
    }
}
