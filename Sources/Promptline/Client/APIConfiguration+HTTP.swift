import AsyncHTTPClient
import NIOCore
import NIOHTTP1

extension APIConfiguration {
    /// The AsyncHTTPClient configuration every API client uses: the connect timeout (each request
    /// has its own deadline), no decompression, and the proxy `HTTPS_PROXY`/`NO_PROXY` named, if any.
    func httpClientConfiguration(connectTimeout: Duration) -> HTTPClient.Configuration {
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: TimeAmount(connectTimeout))
        config.decompression = .disabled
        // No tracing: the default no-op tracer still costs a span and a URL parse per request.
        config.tracing.tracer = nil
        if let proxy {
            let authorization = proxy.username.map { HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "") }
            config.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
        }
        return config
    }

    /// A request to `path` with the API's headers: the key (`x-api-key`) or token (`authorization:
    /// Bearer`), `anthropic-version` and the user agent. The key and token are never logged.
    func request(path: String, method: HTTPMethod) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let key = apiKey { request.headers.add(name: "x-api-key", value: key) }
        if let token = authToken { request.headers.add(name: "authorization", value: "Bearer \(token)") }
        request.headers.add(name: "anthropic-version", value: version)
        request.headers.add(name: "user-agent", value: "promptline/\(PromptlineInfo.version)")
        return request
    }
}
