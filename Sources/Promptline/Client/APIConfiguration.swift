import Foundation

/// Where and how to reach the Messages API, configured as the official SDKs are.
public struct APIConfiguration: Sendable {
    /// `ANTHROPIC_BASE_URL`, default `https://api.anthropic.com`, without a trailing slash.
    public var baseURL: String
    /// `ANTHROPIC_API_KEY`. Never printed, logged or stored.
    public var apiKey: String?
    /// The `anthropic-version` header.
    public var version = "2023-06-01"

    public init(baseURL: String, apiKey: String?) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.apiKey = apiKey
    }

    /// Reads `ANTHROPIC_BASE_URL` and `ANTHROPIC_API_KEY` from the environment.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> APIConfiguration {
        let base = environment["ANTHROPIC_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.anthropic.com"
        let key = environment["ANTHROPIC_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        return APIConfiguration(baseURL: base, apiKey: key)
    }
}
