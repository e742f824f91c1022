import Testing

@testable import Promptline

/// Proxies and credentials from the environment, as the SDKs read them (issue 9 point 6).
@Suite struct NetworkConfigurationTests {
    @Test func anHTTPSBaseURLGoesThroughHTTPSProxyInEitherCase() {
        for name in ["HTTPS_PROXY", "https_proxy"] {
            let proxy = ProxySettings.resolve(baseURL: "https://api.anthropic.com", environment: [name: "http://proxy.corp:3128"])
            #expect(proxy == ProxySettings(host: "proxy.corp", port: 3128), "\(name)")
        }
        // HTTP_PROXY is for http URLs only.
        #expect(ProxySettings.resolve(baseURL: "https://api.anthropic.com", environment: ["HTTP_PROXY": "http://p:1"]) == nil)
        #expect(
            ProxySettings.resolve(baseURL: "http://127.0.0.1:8080", environment: ["HTTP_PROXY": "p:1"]) == ProxySettings(host: "p", port: 1)
        )
    }

    @Test func proxyCredentialsAreParsedButNeverShown() {
        let proxy = ProxySettings.resolve(
            baseURL: "https://api.anthropic.com", environment: ["HTTPS_PROXY": "http://user:s3cret@proxy:8080"])
        #expect(proxy?.username == "user")
        #expect(proxy?.password == "s3cret")
        #expect(proxy.map { "\($0)" } == "proxy:8080")
    }

    @Test(arguments: [
        ("*", true), ("api.anthropic.com", true), (".anthropic.com", true), ("anthropic.com", true), ("*.anthropic.com", true),
        ("other.com, anthropic.com", true), ("api.anthropic.com:443", true), ("api.anthropic.com:8443", false),
        ("thropic.com", false), ("example.com", false),
    ])
    func noProxyBypassesMatchingHosts(noProxy: String, bypassed: Bool) {
        let proxy = ProxySettings.resolve(
            baseURL: "https://api.anthropic.com:443", environment: ["HTTPS_PROXY": "http://proxy:1", "NO_PROXY": noProxy])
        #expect((proxy == nil) == bypassed)
    }

    @Test func anAuthTokenIsAnAlternativeToTheKey() {
        let token = APIConfiguration.fromEnvironment(["ANTHROPIC_AUTH_TOKEN": "tok"])
        #expect(token.hasCredentials)
        #expect(token.apiKey == nil)
        #expect(token.authToken == "tok")
        #expect(!APIConfiguration.fromEnvironment([:]).hasCredentials)
        #expect(APIConfiguration.fromEnvironment(["ANTHROPIC_API_KEY": "k"]).hasCredentials)
    }
}
