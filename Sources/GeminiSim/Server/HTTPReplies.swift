import FlyingFox
import FlyingSocks
import Foundation

/// Builders for the HTTP responses the simulator sends.
enum HTTPReplies {
    static func json(_ value: GeminiJSON, status: Int = 200) -> HTTPResponse {
        HTTPResponse(statusCode: statusCode(status), headers: [.contentType: "application/json"], body: Data(value.bytes))
    }

    static func error(_ reply: GeminiErrorReply) -> HTTPResponse { json(reply.body, status: reply.status) }

    /// A non-JSON body, as an edge proxy would send during an outage.
    static func text(_ text: String, status: Int) -> HTTPResponse {
        HTTPResponse(statusCode: statusCode(status), headers: [.contentType: "text/html"], body: Data(text.utf8))
    }

    /// A response that sends its status line and headers, then fails so FlyingFox closes
    /// the connection before any body byte: the client sees a dead connection mid-response.
    static func abortedConnection() -> HTTPResponse {
        HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"],
                     body: HTTPBodySequence(from: AbortingBytes(), count: 64))
    }

    static func statusCode(_ code: Int) -> HTTPStatusCode {
        switch code {
        case 200: .ok
        case 400: .badRequest
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 405: .methodNotAllowed
        case 406: .notAcceptable
        case 429: .tooManyRequests
        case 500: .internalServerError
        case 502: .badGateway
        case 503: .serviceUnavailable
        case 504: .gatewayTimeout
        default: HTTPStatusCode(code, phrase: "Status \(code)")
        }
    }
}

/// A body source that fails on first read (see `HTTPReplies.abortedConnection`).
struct AbortingBytes: AsyncBufferedSequence {
    typealias Element = UInt8
    struct ConnectionDropped: Error {}

    func makeAsyncIterator() -> Iterator { Iterator() }

    struct Iterator: AsyncBufferedIteratorProtocol {
        mutating func next() async throws -> UInt8? { throw ConnectionDropped() }
        mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? { throw ConnectionDropped() }
    }
}
