import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A minimal HTTP `CONNECT` proxy on a free loopback port, for tests: it opens a tunnel to the
/// host and port asked for, pumps bytes both ways on its own threads, and records each tunnel's
/// target. Stopped when the test ends.
final class ConnectProxy: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var targets: [String] = []

    /// The `host:port` of every tunnel opened so far.
    var tunnels: [String] { lock.withLock { targets } }

    init() throws {
        #if canImport(Glibc)
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let listener = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        self.listener = listener
        guard listener >= 0 else { throw SimulatorError(message: "proxy: socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw SimulatorError(message: "proxy: bind/listen failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                Thread.detachNewThread { self.serve(client) }
            }
        }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var header: [UInt8] = []
        var byte: UInt8 = 0
        while !header.ends(with: Array("\r\n\r\n".utf8)) {
            guard read(client, &byte, 1) == 1, header.count < 8192 else { return }
            header.append(byte)
        }
        let request = String(decoding: header, as: UTF8.self).split(separator: " ")
        guard request.count >= 2, request[0] == "CONNECT" else { return }
        let target = String(request[1])
        lock.withLock { targets.append(target) }
        guard let colon = target.lastIndex(of: ":"), let targetPort = UInt16(target[target.index(after: colon)...]) else { return }
        #if canImport(Glibc)
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let upstream = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        defer { close(upstream) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = targetPort.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")  // tests only tunnel to loopback
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return }
        let established = Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8)
        guard write(client, established, established.count) == established.count else { return }
        var fds = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: upstream, events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while poll(&fds, 2, 30_000) > 0 {
            for (index, fd) in fds.enumerated() where fd.revents != 0 {
                let count = read(fd.fd, &buffer, buffer.count)
                if count <= 0 { return }
                let other = fds[1 - index].fd
                var sent = 0
                while sent < count {
                    let written = buffer[sent..<count].withUnsafeBytes { write(other, $0.baseAddress, count - sent) }
                    if written <= 0 { return }
                    sent += written
                }
            }
        }
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
