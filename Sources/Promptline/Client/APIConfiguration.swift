import Foundation

/// Where and how to reach the Messages API, configured as the official SDKs are.
public struct APIConfiguration: Sendable {
    /// `ANTHROPIC_BASE_URL`, default `https://api.anthropic.com`, without a trailing slash.
    var baseURL: String
    /// `ANTHROPIC_API_KEY`, sent as `x-api-key`. Never printed, logged or stored.
    var apiKey: String?
    /// `ANTHROPIC_AUTH_TOKEN`, sent as `Authorization: Bearer …` (an alternative to the key, as the
    /// SDKs take it). Never printed, logged or stored.
    var authToken: String?
    /// The proxy to reach `baseURL` through, from `HTTPS_PROXY`/`HTTP_PROXY` and `NO_PROXY`.
    var proxy: ProxySettings?
    /// The `anthropic-version` header.
    var version = "2023-06-01"

    init(baseURL: String, apiKey: String?, authToken: String? = nil, proxy: ProxySettings? = nil) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.apiKey = apiKey
        self.authToken = authToken
        self.proxy = proxy
    }

    /// True when a key or a token is set.
    public var hasCredentials: Bool { apiKey != nil || authToken != nil }

    /// Reads `ANTHROPIC_BASE_URL`, `ANTHROPIC_API_KEY`, `ANTHROPIC_AUTH_TOKEN` and the proxy
    /// variables from the environment.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> APIConfiguration {
        let base = environment["ANTHROPIC_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.anthropic.com"
        let key = environment["ANTHROPIC_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let token = environment["ANTHROPIC_AUTH_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        var configuration = APIConfiguration(baseURL: base, apiKey: key, authToken: token)
        configuration.proxy = ProxySettings.resolve(baseURL: configuration.baseURL, environment: environment)
        return configuration
    }
}
