/// The body of an error answer:
/// `{"error":{"details":{"error_code":…}?,"message":…,"type":…},"request_id":…,"type":"error"}`.
struct SimErrorBody: Sendable, Codable, Equatable {
    /// The `error` object.
    struct Detail: Sendable, Codable, Equatable {
        /// `error.details`, present for the spend cap.
        struct Details: Sendable, Codable, Equatable {
            var errorCode: String
            enum CodingKeys: String, CodingKey {
                case errorCode = "error_code"
            }
        }

        var type: String
        var message: String
        var details: Details?
    }

    var type: String = "error"
    var error: Detail
    var requestID: String

    enum CodingKeys: String, CodingKey {
        case type, error
        case requestID = "request_id"
    }

    /// The body for `error` answered to request `requestID`.
    init(_ error: SimAPIError, requestID: String) {
        self.error = Detail(
            type: error.type,
            message: error.message,
            details: error.errorCode.map { Detail.Details(errorCode: $0) }
        )
        self.requestID = requestID
    }
}
