import Crypto
import Foundation
import PromptlineJSON

/// The deterministic "model" behind the simulator: every answer is a pure
/// function of the request body (and, for the message id, of how often it was asked).
enum SimulatedModel {
    /// Lowercase hex SHA-256 of the request body after parsing it and re-serialising
    /// it with sorted keys and without the `stream` field, so white space and key
    /// order do not change it. A body that is not JSON is hashed as is.
    static func fingerprint(body: [UInt8]) -> String {
        guard let value = JSONValue.requestBody(body) else { return hex(SHA256.hash(data: body)) }
        return fingerprint(of: value)
    }

    /// The fingerprint of a body already parsed.
    static func fingerprint(of request: JSONValue) -> String {
        var value = request
        if case .object(var members) = value {
            members.removeValue(forKey: "stream")
            value = .object(members)
        }
        return hex(SHA256.hash(data: Canonicalizer.canonicalBytes(value)))
    }

    /// The answer text: `"Simulated answer " + first 16 hex of the fingerprint + ": "`
    /// followed by the first 60 characters of the last user message's text.
    static func text(forBody body: [UInt8]) -> String {
        let fingerprint = fingerprint(body: body)
        let value = JSONValue.requestBody(body)
        let userText = value.map(lastUserText(in:)) ?? ""
        return text(fingerprint: fingerprint, userText: userText)
    }

    /// The message id for the `n`-th time (0-based) this fingerprint is asked:
    /// `msg_sim_` + first 24 hex of SHA-256(fingerprint + ":" + n).
    static func messageID(fingerprint: String, occurrence n: Int) -> String {
        let digest = hex(SHA256.hash(data: Array("\(fingerprint):\(n)".utf8)))
        return "msg_sim_" + digest.prefix(24)
    }

    /// The text of the last message whose role is `user`: its string content, or its
    /// `text` blocks joined with no separator.
    static func lastUserText(in request: JSONValue) -> String {
        guard let messages = request["messages"]?.arrayValue else { return "" }
        guard let last = messages.last(where: { $0["role"]?.stringValue == "user" }) else { return "" }
        switch last["content"] {
        case .string(let text):
            return text
        case .array(let blocks):
            return blocks.compactMap { block in
                block["type"]?.stringValue == "text" ? block["text"]?.stringValue : nil
            }.joined()
        default:
            return ""
        }
    }

    /// The longest prefix of `text` within `bytes` UTF-8 bytes (never splitting a character).
    static func prefix(of text: String, bytes: Int) -> String {
        var result = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            if used + size > bytes { break }
            result.append(character)
            used += size
        }
        return result
    }

    static func text(fingerprint: String, userText: String) -> String {
        "Simulated answer \(fingerprint.prefix(16)): \(userText.prefix(60))"
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in digest {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
