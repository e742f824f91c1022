import Testing

@testable import Promptline

@Suite struct CSVWriterTests {
    private func row(_ columns: String, _ line: String) -> String {
        String(decoding: CSVWriter(columns: CSVWriter.columns(columns)!).row(forLine: Array((line + "\n").utf8)), as: UTF8.self)
    }

    private let line =
        #"{"custom_id":"r1","key":"sha256:ab","result":{"type":"succeeded","message":{"content":[{"type":"text","text":"hi"}]}},"served_by":{"model":"claude-haiku-4-5","tier":"primary"},"parsed":{"label":"spam","score":0.5,"ok":true,"tags":["a","b"],"note":null}}"#

    @Test func theHeaderIsTheColumnNamesAndRowsEndInCRLF() {
        let writer = CSVWriter(columns: ["id", "parsed.label"])
        #expect(String(decoding: writer.header, as: UTF8.self) == "id,parsed.label\r\n")
    }

    @Test func dottedPathsReachIntoTheLineAndIdIsTheRecordsID() {
        #expect(row("id,parsed.label,parsed.score,parsed.ok,served_by.model", line) == "r1,spam,0.5,true,claude-haiku-4-5\r\n")
        #expect(row("result.message.content.0.text", line) == "hi\r\n")
    }

    @Test func objectsAndArraysAreCompactJSONQuoted() {
        #expect(row("parsed.tags", line) == "\"[\"\"a\"\",\"\"b\"\"]\"\r\n")
    }

    @Test func missingPathsAndNullAreEmpty() {
        #expect(row("parsed.none,parsed.note,parse_error,result.message.content.5.text,parsed.label.x", line) == ",,,,\r\n")
    }

    @Test func commasQuotesNewlinesAreQuotedAndUnicodeKeptAsIs() {
        let text = #"{"custom_id":"r,2","parsed":{"reason":"He said \"no\"\nthen left","label":"café ☕"}}"#
        #expect(row("id,parsed.reason,parsed.label", text) == "\"r,2\",\"He said \"\"no\"\"\nthen left\",café ☕\r\n")
        #expect(String(decoding: CSVWriter.row(["a\rb", " x "]), as: UTF8.self) == "\"a\rb\", x \r\n")
    }

    @Test func columnListsMustNameEveryColumn() {
        #expect(CSVWriter.columns("id,parsed.label") == ["id", "parsed.label"])
        #expect(CSVWriter.columns("id,,x") == nil)
        #expect(CSVWriter.columns("") == nil)
    }
}
