import Foundation

/// The parts of a Messages API response promptline reads; the body itself is kept unchanged.
struct MessageResponse: Decodable {
    struct Usage: Decodable {
        var input_tokens: Int
        var output_tokens: Int
    }

    struct Block: Decodable {
        var type: String
    }

    var id: String
    var type: String
    var model: String
    var content: [Block]
    var usage: Usage
}

/// The API's error body: `{"type":"error","error":{"type":…,"message":…,"details"?:…},"request_id":…}`.
struct ErrorResponse: Decodable {
    struct Details: Decodable {
        var error_code: String?
    }

    struct Inner: Decodable {
        var type: String
        var message: String?
        var details: Details?
    }

    var type: String
    var error: Inner
}
