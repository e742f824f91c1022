import Foundation

@testable import Promptline

extension Simulator {
    /// One backend's billed tokens in `GET /_sim/stats` (`billed.MODEL.messages|batch`).
    struct BilledTokens: Decodable {
        var input_tokens: Int
        var output_tokens: Int
        var cache_creation_5m_input_tokens: Int
        var cache_creation_1h_input_tokens: Int
        var cache_read_input_tokens: Int
        var requests: Int
    }

    private struct Bill: Decodable {
        var billed: [String: [String: BilledTokens]]
    }

    /// Requests the simulated API billed (answered successfully), by backend (`messages`, `batch`), all models.
    func billedRequests() async throws -> [String: Int] {
        let bill = try JSONDecoder().decode(Bill.self, from: try await rawStats())
        var requests: [String: Int] = [:]
        for backends in bill.billed.values {
            for (backend, tokens) in backends { requests[backend, default: 0] += tokens.requests }
        }
        return requests
    }

    /// What the simulated API billed, priced with `prices`: the figure a job's reported cost must match.
    func billedCost(prices: PriceTable) async throws -> Double {
        let bill = try JSONDecoder().decode(Bill.self, from: try await rawStats())
        var dollars = 0.0
        for (model, backends) in bill.billed {
            for (backend, tokens) in backends {
                let count = TokenCount(
                    input: tokens.input_tokens, output: tokens.output_tokens,
                    cacheCreation: tokens.cache_creation_5m_input_tokens + tokens.cache_creation_1h_input_tokens,
                    cacheCreation1h: tokens.cache_creation_1h_input_tokens, cacheRead: tokens.cache_read_input_tokens)
                guard let cost = prices.cost(model: model, tokens: count, batch: backend == "batch") else {
                    throw SimulatorError(message: "no price for \(model)")
                }
                dollars += cost
            }
        }
        return dollars
    }
}
