import PromptlineJSON

/// What a stored answer to a JSON request holds, as the output line reports it: the parsed
/// value, or why there is none. A pure function of the stored answer, so `export` rebuilds the
/// same `parsed` and `parse_error` byte for byte.
enum StructuredOutcome: Sendable, Equatable {
    /// The answer's text (its text blocks joined) is JSON: its canonical (RFC 8785) bytes.
    case parsed([UInt8])
    /// `stop_reason: "refusal"`: no `parsed`, `parse_error: "refusal"`.
    case refusal
    /// `stop_reason: "max_tokens"`: the text is cut; `parse_error: "max_tokens"` once final.
    case cut
    /// The text is not JSON: the parser's message.
    case unparsable(String)
    /// No answer to parse (the request ended errored).
    case noAnswer

    /// The outcome of `answer`'s `result` (`{"type":"succeeded","message":{…}}`).
    init(of answer: StoredAnswer) {
        guard answer.state != .errored, let result = try? JSONLineDecoder().decode(answer.result),
            case .object(let message)? = result["message"]
        else {
            self = .noAnswer
            return
        }
        switch message["stop_reason"]?.stringValue {
        case "refusal":
            self = .refusal
            return
        case "max_tokens":
            self = .cut
            return
        default:
            break
        }
        var text = ""
        for block in message["content"]?.arrayValue ?? [] where block["type"]?.stringValue == "text" {
            text += block["text"]?.stringValue ?? ""
        }
        do {
            self = .parsed(Canonicalizer.canonicalBytes(try JSONLineDecoder().decode(Array(text.utf8))))
        } catch {
            self = .unparsable("the answer's text is not JSON: \(error.description)")
        }
    }

    /// The member the output line gains: `,"parsed":…` or `,"parse_error":"…"` (nothing without an answer).
    var lineFields: [UInt8] {
        var bytes: [UInt8] = []
        switch self {
        case .parsed(let value):
            bytes.append(contentsOf: #","parsed":"#.utf8)
            bytes.append(contentsOf: value)
        case .refusal:
            bytes.append(contentsOf: #","parse_error":"refusal""#.utf8)
        case .cut:
            bytes.append(contentsOf: #","parse_error":"max_tokens""#.utf8)
        case .unparsable(let message):
            bytes.append(contentsOf: #","parse_error":"#.utf8)
            Canonicalizer.appendString(message, to: &bytes)
        case .noAnswer:
            break
        }
        return bytes
    }
}
