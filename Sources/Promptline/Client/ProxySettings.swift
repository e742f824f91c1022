import Foundation

/// The HTTP proxy to reach the API through, chosen from the environment as the SDKs (httpx,
/// Node's undici agents, Go's `net/http`) choose it: `HTTPS_PROXY`/`https_proxy` for an `https`
/// base URL, `HTTP_PROXY`/`http_proxy` for `http`, unless `NO_PROXY`/`no_proxy` names the host.
struct ProxySettings: Sendable, Equatable, CustomStringConvertible {
    var host: String
    var port: Int
    /// `user:password` from the proxy URL, for `Proxy-Authorization: Basic`. Never printed.
    var username: String?
    var password: String?

    init(host: String, port: Int, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    /// `host:port` (credentials left out).
    var description: String { "\(host):\(port)" }

    /// The proxy for `baseURL`, or nil for a direct connection.
    static func resolve(baseURL: String, environment: [String: String]) -> ProxySettings? {
        guard let url = URLComponents(string: baseURL), let scheme = url.scheme?.lowercased(), let host = url.host else { return nil }
        func variable(_ name: String) -> String? {
            (environment[name.lowercased()] ?? environment[name.uppercased()]).flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let proxy = variable(scheme == "https" ? "https_proxy" : "http_proxy") else { return nil }
        if let noProxy = variable("no_proxy"), bypasses(host: host, port: url.port ?? (scheme == "https" ? 443 : 80), noProxy: noProxy) {
            return nil
        }
        return parse(proxy)
    }

    /// Whether `NO_PROXY` (comma-separated: `*`, host names, `.domain` or `domain` suffixes, `host:port`,
    /// IP addresses) sends `host` direct.
    static func bypasses(host: String, port: Int?, noProxy: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        for raw in noProxy.split(separator: ",") {
            var entry = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if entry.isEmpty { continue }
            if entry == "*" { return true }
            if let colon = entry.lastIndex(of: ":"), !entry.contains("]"), entry.filter({ $0 == ":" }).count == 1 {
                let entryPort = Int(entry[entry.index(after: colon)...])
                entry = String(entry[..<colon])
                if let entryPort, entryPort != port { continue }
            }
            entry = entry.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            if entry.hasPrefix("*.") { entry.removeFirst() }
            if entry.hasPrefix(".") {
                if host.hasSuffix(entry) || host == String(entry.dropFirst()) { return true }
            } else if host == entry || host.hasSuffix("." + entry) {
                return true
            }
        }
        return false
    }

    /// Parses `http://[user:password@]host[:port]` (a bare `host:port` too); nil for other schemes.
    static func parse(_ text: String) -> ProxySettings? {
        let withScheme = text.contains("://") ? text : "http://" + text
        guard let url = URLComponents(string: withScheme), url.scheme?.lowercased() == "http", let host = url.host, !host.isEmpty else {
            return nil
        }
        return ProxySettings(host: host, port: url.port ?? 80, username: url.user, password: url.password)
    }
}
