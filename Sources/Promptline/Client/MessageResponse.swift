import Foundation

/// The parts of a Messages API response promptline reads; the body itself is kept unchanged.
struct MessageResponse {
    struct Usage {
        struct CacheCreation {
            var ephemeral_5m_input_tokens: Int? = nil
            var ephemeral_1h_input_tokens: Int? = nil
        }

        var input_tokens: Int
        var output_tokens: Int
        var cache_creation_input_tokens: Int? = nil
        var cache_read_input_tokens: Int? = nil
        var cache_creation: CacheCreation? = nil

        /// The usage as promptline counts it.
        var tokens: TokenCount {
            TokenCount(
                input: input_tokens, output: output_tokens, cacheCreation: cache_creation_input_tokens ?? 0,
                cacheCreation1h: cache_creation?.ephemeral_1h_input_tokens ?? 0, cacheRead: cache_read_input_tokens ?? 0)
        }
    }

    struct Block {
        var type: String
    }

    var id: String
    var type: String
    var model: String
    var content: [Block]
    var usage: Usage
    var stop_reason: String?
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
