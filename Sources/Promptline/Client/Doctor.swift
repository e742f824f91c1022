import Foundation

/// `promptline doctor` and `run`'s preflight: is a run able to start?
///
/// Checks that a key is present, the base URL answers, the key authenticates, each given model
/// is listed by `GET /v1/models`, and reports the round trip's latency and the rate-limit headers
/// seen. Never prints the key.
public struct Doctor: Sendable {
    /// One check's outcome.
    struct Check: Sendable, Codable, Equatable {
        var name: String
        var ok: Bool
        var detail: String
    }

    /// All checks, and whether a run could start.
    public struct Report: Sendable, Codable, Equatable {
        var checks: [Check] = []
        var latencyMs: Double?
        var rateLimitHeaders: [String: String] = [:]
        /// The exit status: success when a run could start; not permitted for a missing or refused key;
        /// stopped early when the API is unreachable or failing (try later); some failed when a model is not listed.
        public var exitCode = ExitStatus.success

        /// The report for a person: one line a check, the rate-limit headers seen, and the verdict.
        public var text: String {
            var lines = checks.map { "\($0.ok ? "ok  " : "FAIL") \($0.name): \($0.detail)" }
            if !rateLimitHeaders.isEmpty {
                lines.append("rate-limit headers seen:")
                lines += rateLimitHeaders.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }
            }
            lines.append(exitCode == .success ? "verdict: a run can start" : "verdict: a run cannot start (exit \(exitCode.rawValue))")
            return lines.joined(separator: "\n")
        }
    }

    private let configuration: APIConfiguration
    private let client: any MessagesTransport

    /// Checks the API that `configuration` names through `client`.
    public init(configuration: APIConfiguration, client: any MessagesTransport) {
        self.configuration = configuration
        self.client = client
    }

    /// Runs the checks; `models` are the models a run would use.
    public func check(models: [String], timeout: Duration = .seconds(10)) async -> Report {
        var report = Report()
        guard configuration.hasCredentials else {
            report.checks.append(Check(name: "key", ok: false, detail: "neither ANTHROPIC_API_KEY nor ANTHROPIC_AUTH_TOKEN is set"))
            report.exitCode = .notPermitted
            return report
        }
        let credential = configuration.apiKey != nil ? "ANTHROPIC_API_KEY" : "ANTHROPIC_AUTH_TOKEN"
        report.checks.append(Check(name: "key", ok: true, detail: "\(credential) is set (not shown)"))
        if let proxy = configuration.proxy {
            report.checks.append(Check(name: "proxy", ok: true, detail: "through \(proxy) (HTTPS_PROXY/HTTP_PROXY, NO_PROXY)"))
        }
        let started = ContinuousClock.now
        let listed = await client.listModels(timeout: timeout)
        let elapsed = ContinuousClock.now - started
        switch listed {
        case .failure(let failure):
            switch failure.kind {
            case .timeout, .connection:
                report.checks.append(Check(name: "reachable", ok: false, detail: "\(configuration.baseURL): \(failure.message)"))
                report.exitCode = .stoppedEarly
            case .http(let status) where status == 401 || status == 403:
                report.checks.append(Check(name: "reachable", ok: true, detail: configuration.baseURL))
                report.checks.append(
                    Check(name: "authentication", ok: false, detail: "HTTP \(status) \(failure.errorType): \(failure.message)"))
                report.exitCode = .notPermitted
            default:
                report.checks.append(Check(name: "reachable", ok: true, detail: configuration.baseURL))
                report.checks.append(Check(name: "models", ok: false, detail: failure.description))
                report.exitCode = .stoppedEarly
            }
        case .success(let (ids, headers)):
            report.latencyMs = elapsed.seconds * 1000
            report.checks.append(
                Check(name: "reachable", ok: true, detail: "\(configuration.baseURL) in \(Int(elapsed.seconds * 1000)) ms"))
            report.checks.append(Check(name: "authentication", ok: true, detail: "the key is accepted"))
            for model in models {
                let check = await checkModel(model, listed: ids, timeout: timeout)
                report.checks.append(check)
                if !check.ok && report.exitCode == .success { report.exitCode = .someRecordsFailed }
            }
            for (name, value) in headers where name.hasPrefix("anthropic-ratelimit-") {
                report.rateLimitHeaders[name] = value
            }
        }
        return report
    }

    /// A model is usable when `GET /v1/models` lists it or `GET /v1/models/{id}` resolves it (the
    /// list holds dated ids; an alias such as `claude-haiku-4-5` resolves to one).
    private func checkModel(_ model: String, listed ids: [String], timeout: Duration) async -> Check {
        if ids.contains(model) { return Check(name: "model \(model)", ok: true, detail: "listed") }
        switch await client.retrieveModel(model, timeout: timeout) {
        case .success(let id):
            return Check(name: "model \(model)", ok: true, detail: id == model ? "found" : "resolves to \(id)")
        case .failure(let failure) where failure.status == 404:
            return Check(
                name: "model \(model)", ok: false,
                detail: "not found: not listed by GET /v1/models nor resolved by GET /v1/models/\(model) (unknown or retired)")
        case .failure(let failure):
            return Check(name: "model \(model)", ok: false, detail: "GET /v1/models/\(model): \(failure.description)")
        }
    }
}
