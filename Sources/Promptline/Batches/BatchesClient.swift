import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The Message Batches API over AsyncHTTPClient: create, retrieve, list and results (streamed).
/// Failures are classified as ``MessagesClient`` classifies them.
public final class BatchesClient: Sendable {
    /// A `MessageBatch` as promptline reads it.
    struct Batch: Sendable, Decodable, Equatable {
        /// `request_counts`.
        struct Counts: Sendable, Codable, Equatable {
            var processing = 0
            var succeeded = 0
            var errored = 0
            var canceled = 0
            var expired = 0

            init(processing: Int = 0, succeeded: Int = 0, errored: Int = 0, canceled: Int = 0, expired: Int = 0) {
                self.processing = processing
                self.succeeded = succeeded
                self.errored = errored
                self.canceled = canceled
                self.expired = expired
            }

            /// Every request of the batch.
            var total: Int { processing + succeeded + errored + canceled + expired }
        }

        var id: String
        var processingStatus: String
        var requestCounts: Counts
        var createdAt: String
        var resultsURL: String?

        enum CodingKeys: String, CodingKey {
            case id
            case processingStatus = "processing_status"
            case requestCounts = "request_counts"
            case createdAt = "created_at"
            case resultsURL = "results_url"
        }

        init(id: String, processingStatus: String, requestCounts: Counts, createdAt: String, resultsURL: String? = nil) {
            self.id = id
            self.processingStatus = processingStatus
            self.requestCounts = requestCounts
            self.createdAt = createdAt
            self.resultsURL = resultsURL
        }

        /// `created_at` as seconds since 1970 (RFC 3339, `Z` or an offset, any fraction).
        var createdTime: Double? { RFC3339.parse(createdAt) }
    }

    /// A page of `GET /v1/messages/batches`.
    struct Page: Sendable, Decodable {
        var data: [Batch]
        var hasMore: Bool
        var lastID: String?

        enum CodingKeys: String, CodingKey {
            case data
            case hasMore = "has_more"
            case lastID = "last_id"
        }
    }

    private static let decoder = JSONDecoder()
    private let http: HTTPClient
    private let configuration: APIConfiguration
    private let logger: Logger

    /// A client of the Message Batches API.
    public init(configuration: APIConfiguration, connectTimeout: Duration, logger: Logger) {
        self.http = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: configuration.httpClientConfiguration(connectTimeout: connectTimeout))
        self.configuration = configuration
        self.logger = logger
    }

    /// Closes the connection pool. Call once, when the job ends.
    public func shutdown() async {
        try? await http.shutdown()
    }

    private func request(path: String, method: HTTPMethod) -> HTTPClientRequest {
        configuration.request(path: path, method: method)
    }

    /// `POST /v1/messages/batches` with the body (`{"requests":[…]}`, built by ``BatchBuilder``)
    /// streamed from its file, 1 MB at a time.
    func create(bodyFile: BatchBodyFile, timeout: Duration) async -> Result<Batch, RequestFailure> {
        var request = self.request(path: "/v1/messages/batches", method: .POST)
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .stream(bodyFile.chunks, length: .known(Int64(bodyFile.length)))
        return await execute(request, timeout: timeout, as: Batch.self)
    }

    /// `GET /v1/messages/batches/{id}`.
    func retrieve(_ id: String, timeout: Duration) async -> Result<Batch, RequestFailure> {
        await execute(self.request(path: "/v1/messages/batches/\(id)", method: .GET), timeout: timeout, as: Batch.self)
    }

    /// `POST /v1/messages/batches/{id}/cancel`: the batch goes `canceling`, then ends with the
    /// requests it finished kept and the rest `canceled`.
    func cancel(_ id: String, timeout: Duration) async -> Result<Batch, RequestFailure> {
        await execute(self.request(path: "/v1/messages/batches/\(id)/cancel", method: .POST), timeout: timeout, as: Batch.self)
    }

    /// `GET /v1/messages/batches?limit=…&after_id=…` (newest first).
    func list(limit: Int, afterID: String?, timeout: Duration) async -> Result<Page, RequestFailure> {
        var path = "/v1/messages/batches?limit=\(limit)"
        if let afterID { path += "&after_id=\(afterID)" }
        return await execute(self.request(path: path, method: .GET), timeout: timeout, as: Page.self)
    }

    private func execute<Value: Decodable>(_ request: HTTPClientRequest, timeout: Duration, as type: Value.Type) async -> Result<
        Value, RequestFailure
    > {
        do {
            let response = try await http.execute(request, deadline: .now() + TimeAmount(timeout), logger: logger)
            var buffer = try await response.body.collect(upTo: 64 << 20)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            guard response.status == .ok else {
                return .failure(MessagesClient.classify(status: Int(response.status.code), headers: response.headers, body: bytes))
            }
            guard let value = try? Self.decoder.decode(Value.self, from: Data(bytes)) else {
                return .failure(
                    RequestFailure(
                        kind: .malformedBody, errorType: "malformed_response",
                        message: "HTTP 200 with a body that is not a Message Batches API answer (\(bytes.count) bytes)"))
            }
            return .success(value)
        } catch {
            return .failure(MessagesClient.classify(transportError: error))
        }
    }

    /// Streams `GET /v1/messages/batches/{id}/results` line by line into `line` (blank lines
    /// skipped), holding at most one line and one network chunk in memory. A line longer than
    /// `maxLineBytes` fails the download.
    func results(
        _ id: String, timeout: Duration, maxLineBytes: Int = 64 << 20,
        line: (ArraySlice<UInt8>) async throws -> Void
    ) async throws -> RequestFailure? {
        var request = self.request(path: "/v1/messages/batches/\(id)/results", method: .GET)
        request.headers.add(name: "accept", value: "application/binary")
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: TimeAmount(timeout), logger: logger)
        } catch {
            return MessagesClient.classify(transportError: error)
        }
        guard response.status == .ok else {
            var buffer = (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            return MessagesClient.classify(status: Int(response.status.code), headers: response.headers, body: bytes)
        }
        var pending: [UInt8] = []
        do {
            for try await chunk in response.body {
                var start = 0
                let view = chunk.readableBytesView
                let bytes = Array(view)
                while let newline = bytes[start...].firstIndex(of: 0x0A) {
                    if pending.isEmpty {
                        if newline > start { try await line(bytes[start..<newline]) }
                    } else {
                        pending.append(contentsOf: bytes[start..<newline])
                        try await line(pending[...])
                        pending.removeAll(keepingCapacity: true)
                    }
                    start = newline + 1
                }
                pending.append(contentsOf: bytes[start...])
                if pending.count > maxLineBytes {
                    return RequestFailure(
                        kind: .malformedBody, errorType: "malformed_response",
                        message: "a results line is longer than \(maxLineBytes) bytes")
                }
            }
        } catch let error as CancellationError {
            throw error
        } catch let error as HTTPClientError {
            return MessagesClient.classify(transportError: error)
        }
        if pending.contains(where: { $0 != 0x20 && $0 != 0x0D }) { try await line(pending[...]) }
        return nil
    }
}

/// RFC 3339 timestamps as the API writes them (`2024-09-24T18:37:24.100435Z`, also `+00:00`).
enum RFC3339 {
    /// Seconds since 1970, or nil when the text is not such a time.
    static func parse(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 20, let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == 0x2E {
            index += 1
            var scale = 0.1
            while index < bytes.count, bytes[index] >= 0x30 && bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case 0x5A, 0x7A: break  // Z
        case 0x2B, 0x2D:
            guard let hours = number(index + 1..<index + 3), let minutes = number(index + 4..<index + 6) else { return nil }
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == 0x2B ? 1 : -1)
        default: return nil
        }
        // Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second - offset) + fraction
    }
}
