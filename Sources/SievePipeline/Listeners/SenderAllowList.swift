import SieveRules

/// A listener's `allowed_senders`: the CIDR blocks whose addresses may send. Empty lets everyone in.
struct SenderAllowList: Sendable {
    let blocks: [CIDRBlock]

    /// The config reader has already checked every block parses.
    init(_ texts: [String]) {
        blocks = texts.compactMap { try? CIDRBlock($0) }
    }

    var isEmpty: Bool { blocks.isEmpty }

    /// Whether an address (4 or 16 bytes; an IPv4-mapped IPv6 address counts as its IPv4 one) may send.
    func allows(_ address: [UInt8]) -> Bool {
        if blocks.isEmpty { return true }
        if blocks.contains(where: { $0.contains(address) }) { return true }
        // ::ffff:a.b.c.d from a dual-stack socket.
        if address.count == 16, address.prefix(10).allSatisfy({ $0 == 0 }), address[10] == 0xFF, address[11] == 0xFF {
            let v4 = Array(address.suffix(4))
            return blocks.contains { $0.contains(v4) }
        }
        return false
    }
}
