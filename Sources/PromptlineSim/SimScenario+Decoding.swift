import Foundation

extension SimScenario {
    /// Decodes and validates a scenario document (unknown fault kinds and bad
    /// probabilities are rejected).
    public static func decode(_ data: Data) throws -> SimScenario {
        let scenario = try JSONDecoder().decode(SimScenario.self, from: data)
        try scenario.validate()
        return scenario
    }

    /// Throws ``SimScenarioError`` when a kind or figure is out of range.
    func validate() throws {
        for rates in [self.errorRates ?? [:]] + (self.modelErrorRates ?? [:]).values {
            for (kind, probability) in rates {
                guard SimFault(rawValue: kind) != nil else { throw SimScenarioError.unknownFault(kind) }
                guard (0...1).contains(probability) else { throw SimScenarioError.badProbability(kind, probability) }
            }
        }
        for outage in self.outages ?? [] {
            guard SimFault(rawValue: outage.kind) != nil else { throw SimScenarioError.unknownFault(outage.kind) }
            if let rate = outage.rate, !(0...1).contains(rate) { throw SimScenarioError.badProbability(outage.kind, rate) }
        }
        if let failAfter = self.failAfter, SimFault(rawValue: failAfter.kind) == nil {
            throw SimScenarioError.unknownFault(failAfter.kind)
        }
        if let rate = self.batches?.cacheHitRate, !(0...1).contains(rate) {
            throw SimScenarioError.badProbability("batches.cache_hit_rate", rate)
        }
    }
}

/// Why a scenario was rejected.
enum SimScenarioError: Error, Sendable, CustomStringConvertible {
    case unknownFault(String)
    case badProbability(String, Double)

    var description: String {
        switch self {
        case .unknownFault(let kind):
            return "unknown fault kind \"\(kind)\" (known: \(SimFault.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .badProbability(let kind, let probability):
            return "probability \(probability) of \"\(kind)\" is not in 0...1"
        }
    }
}
