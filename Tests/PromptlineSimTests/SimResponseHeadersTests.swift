import Foundation
import Testing

@testable import PromptlineSim

@Suite struct SimResponseHeadersTests {
    @Test(arguments: [
        0, 0.2, 59.5, 951_782_400, 951_868_799.01, 1_709_164_800, 1_795_000_000, 1_796_083_200.7, 4_102_444_799, 253_402_300_799,
    ])
    func resetTimesAreWrittenAsFoundationsISO8601(time: Double) {
        #expect(SimServer.rfc3339(time) == Date(timeIntervalSince1970: time.rounded(.up)).formatted(.iso8601))
    }

    @Test func requestIDsAreUniqueAndNamedAsTheSimulatorsOwn() {
        let ids = (0..<1000).map { _ in SimServer.makeRequestID() }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.hasPrefix("req_sim_") })
    }
}
