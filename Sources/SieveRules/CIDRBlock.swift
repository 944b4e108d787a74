#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 or IPv6 network (`10.1.0.0/16`, `fd00::/8`, or a single address).
public struct CIDRBlock: Sendable, Hashable, CustomStringConvertible {
    /// 4 or 16 bytes.
    public let network: [UInt8]
    public let prefixLength: Int

    public init(_ text: String) throws(RulesError) {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count <= 2, let address = Self.parseAddress(String(pieces[0])) else { throw .badCIDR(text) }
        let maximum = address.count * 8
        var length = maximum
        if pieces.count == 2 {
            guard let parsed = Int(pieces[1]), (0...maximum).contains(parsed) else { throw .badCIDR(text) }
            length = parsed
        }
        network = Self.masked(address, length)
        prefixLength = length
    }

    /// Whether `address` (4 or 16 bytes; an IPv4-mapped IPv6 address counts as IPv4) is inside.
    public func contains(_ address: [UInt8]) -> Bool {
        var address = address
        if address.count == 16 && network.count == 4
            && address.prefix(12).elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF])
        {
            address = Array(address.suffix(4))
        }
        guard address.count == network.count else { return false }
        return Self.masked(address, prefixLength) == network
    }

    public var description: String {
        "\(network.count == 4 ? network.map(String.init).joined(separator: ".") : "ipv6")/\(prefixLength)"
    }

    /// The bytes of a textual IPv4 or IPv6 address.
    public static func parseAddress(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    private static func masked(_ address: [UInt8], _ length: Int) -> [UInt8] {
        address.enumerated().map { index, byte in
            let bits = max(0, min(8, length - index * 8))
            return bits == 8 ? byte : byte & UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        }
    }
}
