/// The fields of a Messages API response that promptline reads (`MessageResponse`), for
/// `JSONDecoder`.
struct ResponseFields: Decodable {
    struct Usage: Decodable {
        var input_tokens: Int
        var output_tokens: Int
        var cache_creation_input_tokens: Int?
        var cache_read_input_tokens: Int?
    }

    struct Block: Decodable {
        var type: String
    }

    var id: String
    var type: String
    var model: String
    var content: [Block]
    var usage: Usage
    var stop_reason: String?
}
