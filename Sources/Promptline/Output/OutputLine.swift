import PromptlineJSON

/// Builds output lines (SPEC §5) byte for byte; `run` and `export` share it, so export reproduces
/// a job's output exactly.
enum OutputLine {
    /// The line of an answered record; `metadata` (canonical JSON of the record's own non-API
    /// fields) is added as the line's `metadata` object when the record has some.
    static func answered(customID: String, key: RequestKey, answer: StoredAnswer, metadata: [UInt8]? = nil) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(answer.result.count + answer.servedBy.count + 128)
        line.append(contentsOf: #"{"custom_id":"#.utf8)
        Canonicalizer.appendString(customID, to: &line)
        line.append(contentsOf: #","key":"#.utf8)
        Canonicalizer.appendString(key.rawValue, to: &line)
        line.append(contentsOf: #","result":"#.utf8)
        line.append(contentsOf: answer.result)
        line.append(contentsOf: #","served_by":"#.utf8)
        line.append(contentsOf: answer.servedBy)
        if let structured = answer.structured { line.append(contentsOf: structured.fields) }
        if let metadata {
            line.append(contentsOf: #","metadata":"#.utf8)
            line.append(contentsOf: metadata)
        }
        line.append(contentsOf: "}\n".utf8)
        return line
    }

    /// The line of an invalid input line.
    static func invalid(_ record: InvalidRecord) -> [UInt8] {
        var line: [UInt8] = []
        line.append(contentsOf: #"{"custom_id":"#.utf8)
        Canonicalizer.appendString(record.customID, to: &line)
        line.append(contentsOf: #","key":null,"result":{"type":"invalid","error":{"type":"invalid_input","message":"#.utf8)
        Canonicalizer.appendString(record.message, to: &line)
        line.append(contentsOf: #","file":"#.utf8)
        Canonicalizer.appendString(record.file, to: &line)
        line.append(contentsOf: #","line":\#(record.line)}},"served_by":{"model":null,"tier":"none","attempts":0,"errors":[]}}"#.utf8)
        line.append(0x0A)
        return line
    }

    /// The `served_by` object.
    static func servedBy(model: String?, tier: ServedTier, attempts: Int, errors: [String]) -> [UInt8] {
        var bytes: [UInt8] = Array(#"{"model":"#.utf8)
        if let model { Canonicalizer.appendString(model, to: &bytes) } else { bytes.append(contentsOf: "null".utf8) }
        bytes.append(contentsOf: #","tier":"#.utf8)
        Canonicalizer.appendString(tier.rawValue, to: &bytes)
        bytes.append(contentsOf: #","attempts":\#(attempts),"errors":["#.utf8)
        for (index, error) in errors.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            Canonicalizer.appendString(error, to: &bytes)
        }
        bytes.append(contentsOf: "]}".utf8)
        return bytes
    }

    /// `{"type":"succeeded","message":…}`.
    static func succeededResult(message: [UInt8]) -> [UInt8] {
        Array(#"{"type":"succeeded","message":"#.utf8) + message + [0x7D]
    }

    /// `{"type":"errored","error":…}` with the API's error body, or one in its shape for failures without a body.
    static func erroredResult(_ failure: RequestFailure) -> [UInt8] {
        var bytes: [UInt8] = Array(#"{"type":"errored","error":"#.utf8)
        if let body = failure.body {
            bytes.append(contentsOf: body)
        } else {
            bytes.append(contentsOf: #"{"type":"error","error":{"type":"#.utf8)
            Canonicalizer.appendString(failure.errorType, to: &bytes)
            bytes.append(contentsOf: #","message":"#.utf8)
            Canonicalizer.appendString(failure.message, to: &bytes)
            bytes.append(contentsOf: #"},"request_id":null}"#.utf8)
        }
        bytes.append(0x7D)
        return bytes
    }
}

extension OutputLine {
    /// The message of the static tier: the Messages API response shape around `--static-response`.
    static func staticMessage(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = Array(
            #"{"id":"static","type":"message","role":"assistant","model":null,"content":[{"type":"text","text":"#.utf8)
        Canonicalizer.appendString(text, to: &bytes)
        bytes.append(contentsOf: #"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}"#.utf8)
        return bytes
    }
}
