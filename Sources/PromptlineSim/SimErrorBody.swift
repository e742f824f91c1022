/// The body of an error answer:
/// `{"error":{"details":{"error_code":…}?,"message":…,"type":…},"request_id":…,"type":"error"}`.
public struct SimErrorBody: Sendable, Codable, Equatable {
    /// The `error` object.
    public struct Detail: Sendable, Codable, Equatable {
        /// `error.details`, present for the spend cap.
        public struct Details: Sendable, Codable, Equatable {
            public var errorCode: String
            enum CodingKeys: String, CodingKey {
                case errorCode = "error_code"
            }
        }

        public var type: String
        public var message: String
        public var details: Details?
    }

    public var type: String = "error"
    public var error: Detail
    public var requestID: String

    enum CodingKeys: String, CodingKey {
        case type, error
        case requestID = "request_id"
    }

    /// The body for `error` answered to request `requestID`.
    public init(_ error: SimAPIError, requestID: String) {
        self.error = Detail(
            type: error.type,
            message: error.message,
            details: error.errorCode.map { Detail.Details(errorCode: $0) }
        )
        self.requestID = requestID
    }
}
