import Foundation
import Testing

@testable import PromptlineSim

@Suite struct SimulatedModelTests {
    @Test func fingerprintIgnoresKeyOrderWhitespaceAndStream() {
        let a = Array(#"{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"#.utf8)
        let b = Array(#"{ "messages" : [ {"content":"hi", "role":"user"} ],"max_tokens":10,  "model":"m", "stream": true }"#.utf8)
        #expect(SimulatedModel.fingerprint(body: a) == SimulatedModel.fingerprint(body: b))
        #expect(SimulatedModel.fingerprint(body: a).count == 64)
        #expect(SimulatedModel.fingerprint(body: a).allSatisfy { "0123456789abcdef".contains($0) })
    }

    @Test func fingerprintIgnoresNumberSpellingAndEscapes() {
        let a = Array(#"{"model":"m","max_tokens":100,"temperature":0.5,"messages":[{"role":"user","content":"hé"}]}"#.utf8)
        let b = Array(#"{"model":"m","max_tokens":1E2,"temperature":0.50,"messages":[{"role":"user","content":"h\u00e9"}]}"#.utf8)
        #expect(SimulatedModel.fingerprint(body: a) == SimulatedModel.fingerprint(body: b))
    }

    @Test func fingerprintChangesWithContent() {
        let a = Array(#"{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}"#.utf8)
        let b = Array(#"{"model":"m","max_tokens":11,"messages":[{"role":"user","content":"hi"}]}"#.utf8)
        #expect(SimulatedModel.fingerprint(body: a) != SimulatedModel.fingerprint(body: b))
    }

    @Test func textQuotesFingerprintAndFirstSixtyCharactersOfLastUserText() {
        let long = String(repeating: "x", count: 70)
        let body = Array(
            #"{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"first"},{"role":"assistant","content":"a"},{"role":"user","content":[{"type":"text","text":"\#(long)"}]}]}"#
                .utf8
        )
        let fingerprint = SimulatedModel.fingerprint(body: body)
        #expect(SimulatedModel.text(forBody: body) == "Simulated answer \(fingerprint.prefix(16)): \(String(repeating: "x", count: 60))")
    }

    @Test func messageIDDependsOnOccurrence() {
        let first = SimulatedModel.messageID(fingerprint: "abc", occurrence: 0)
        let second = SimulatedModel.messageID(fingerprint: "abc", occurrence: 1)
        #expect(first.hasPrefix("msg_sim_"))
        #expect(first.count == "msg_sim_".count + 24)
        #expect(first != second)
        #expect(first == SimulatedModel.messageID(fingerprint: "abc", occurrence: 0))
    }

    @Test func seededRandomReproducesItsSequence() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 42)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        var c = SeededRandom(seed: 43)
        #expect(first != (0..<5).map { _ in c.next() })
    }
}
