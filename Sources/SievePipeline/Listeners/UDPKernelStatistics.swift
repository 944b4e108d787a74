import Foundation
import NIOCore

/// What the kernel knows about a UDP socket and auditsieve cannot see from user space: the
/// datagrams it dropped because the socket's receive buffer was full (`drops`, the last column of
/// `/proc/net/udp` and `/proc/net/udp6`, per socket). Found by the socket's bound address and port.
/// Linux only; elsewhere `drops` is nil.
struct UDPKernelStatistics {
    /// The `local_address` column for `address`, e.g. `0100007F:3CBA` for 127.0.0.1:15546 (the
    /// kernel prints each 32-bit word of the address as it is in memory, and the port as a number).
    static func procLocalAddress(_ address: SocketAddress) -> (table: String, column: String)? {
        guard let port = address.port else { return nil }
        let portText = String(format: "%04X", port)
        switch address {
        case .v4(let v4):
            return ("/proc/net/udp", String(format: "%08X", v4.address.sin_addr.s_addr) + ":" + portText)
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            let words = withUnsafeBytes(of: &raw) { bytes in
                (0..<4).map { bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self) }
            }
            return ("/proc/net/udp6", words.map { String(format: "%08X", $0) }.joined() + ":" + portText)
        default:
            return nil
        }
    }

    /// The kernel's drop count for the socket bound to `address`; nil when it cannot be read.
    static func drops(for address: SocketAddress) -> UInt64? {
        guard let (table, column) = procLocalAddress(address),
            let text = try? String(contentsOfFile: table, encoding: .utf8)
        else { return nil }
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 13, fields[1] == column else { continue }
            return UInt64(fields[fields.count - 1])
        }
        return nil
    }
}
