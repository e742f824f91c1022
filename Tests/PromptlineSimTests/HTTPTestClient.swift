import Foundation
import Logging
@testable import PromptlineSim

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP exchange's result, for assertions.
struct HTTPResult: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    func header(_ name: String) -> String? {
        self.headers[name.lowercased()]
    }

    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: self.body)) as? [String: Any]
    }

    var errorType: String? {
        (self.json?["error"] as? [String: Any])?["type"] as? String
    }
}

/// A tiny loopback client over URLSession.
struct HTTPTestClient: Sendable {
    let baseURL: URL
    let session: URLSession

    init(baseURL: URL, timeout: TimeInterval = 30) {
        self.baseURL = baseURL
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        self.session = URLSession(configuration: configuration)
    }

    func send(
        _ method: String,
        _ path: String,
        headers: [String: String] = [:],
        body: String? = nil
    ) async throws -> HTTPResult {
        // A path with a query string is joined as text (appendingPathComponent would escape the `?`).
        let url = path.contains("?") ? URL(string: self.baseURL.absoluteString + "/" + path)! : self.baseURL.appendingPathComponent(path)
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers {
            request.setValue(value, forHTTPHeaderField: name)
        }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "content-type")
        }
        let (data, response) = try await self.session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            fields["\(name)".lowercased()] = "\(value)"
        }
        return HTTPResult(status: http.statusCode, headers: fields, body: data)
    }

    /// `POST /v1/messages` with the standard headers.
    func message(_ body: String, apiKey: String? = nil, version: String? = "2023-06-01") async throws -> HTTPResult {
        var headers: [String: String] = [:]
        if let version { headers["anthropic-version"] = version }
        if let apiKey { headers["x-api-key"] = apiKey }
        return try await self.send("POST", "v1/messages", headers: headers, body: body)
    }
}

/// A message request body asking `text` of `model`.
func messageBody(_ text: String, model: String = "claude-sonnet-4-5", maxTokens: Int = 100) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let escaped = String(decoding: try! encoder.encode(text), as: UTF8.self)
    return #"{"model":"\#(model)","max_tokens":\#(maxTokens),"messages":[{"role":"user","content":\#(escaped)}]}"#
}

/// Runs `body` against a fresh in-process simulator.
@discardableResult
func withSimulator<Result: Sendable>(
    _ configuration: SimConfiguration = SimConfiguration(),
    timeout: TimeInterval = 30,
    _ body: @Sendable (HTTPTestClient) async throws -> Result
) async throws -> Result {
    var logger = Logger(label: "promptline-sim-tests")
    logger.logLevel = .warning
    return try await SimServer(configuration: configuration, logger: logger).withRunning { url in
        try await body(HTTPTestClient(baseURL: url, timeout: timeout))
    }
}
