import Foundation
import NIOCore
import Testing

@testable import SievePipeline

#if canImport(Glibc)
    import Glibc
#endif

/// docs/HOSTILE.md D15: datagrams the kernel drops because the socket buffer is full are counted.
@Suite("UDP kernel drops are visible", .serialized)
struct UDPKernelDropTests {
    /// Sends `count` datagrams of `size` bytes as fast as possible from one socket.
    static func flood(port: Int, count: Int, size: Int) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let datagram = Array("<14>Nov 22 01:02:03 db1 t: ".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: size)
        for _ in 0..<count {
            _ = datagram.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }
    }

    @Test("a flood into a small receive buffer: the kernel's drops are counted, and read + dropped = sent")
    func kernelDropsCounted() async throws {
        let server = try TestServer(udp: "    receive_buffer_bytes: 16KiB")
        try await server.start()
        let sent = 20_000
        let port = server.udpPort
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                Self.flood(port: port, count: sent, size: 400)
                done.resume()
            }
        }
        let listener = [("listener", "udp://127.0.0.1:0")]
        let deadline = Date().addingTimeInterval(10)
        var read: Int64 = 0
        var dropped: Int64 = 0
        repeat {
            try await Task.sleep(for: .milliseconds(200))
            read = server.counter("auditsieve_listener_frames_total", listener)
            dropped = server.counter("auditsieve_udp_kernel_drops_total", listener)
        } while read + dropped < Int64(sent) && Date() < deadline
        let granted = try server.metrics.expectGauge("auditsieve_udp_receive_buffer_bytes", listener).lastValue
        await server.stop()
        #expect(dropped > 0, "a 16 KiB buffer cannot hold the burst")
        #expect(read + dropped == Int64(sent), "read \(read) + dropped \(dropped) = sent \(sent)")
        #expect(granted == Double(16 << 10))
    }

    @Test("the /proc/net/udp address of a socket is computed as the kernel prints it")
    func procAddress() throws {
        let v4 = try UDPKernelStatistics.procLocalAddress(SocketAddress(ipAddress: "127.0.0.1", port: 15546))
        #expect(v4?.table == "/proc/net/udp" && v4?.column == "0100007F:3CBA")
        let any = try UDPKernelStatistics.procLocalAddress(SocketAddress(ipAddress: "0.0.0.0", port: 514))
        #expect(any?.column == "00000000:0202")
        let v6 = try UDPKernelStatistics.procLocalAddress(SocketAddress(ipAddress: "::1", port: 514))
        #expect(v6?.table == "/proc/net/udp6" && v6?.column == "00000000000000000000000001000000:0202")
    }
}
