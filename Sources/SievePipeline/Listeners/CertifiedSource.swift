import SieveRules

/// A TLS connection's source host under `source_identity: certificate`: the client certificate's
/// name, and the HOSTNAMEs it may vouch for when `relays` lists it. A message's HOSTNAME is its
/// source host only when it is the certificate's name or one the relay vouches for; otherwise the
/// certificate's name is, and the mismatch is counted.
struct CertifiedSource: Sendable {
    let name: [UInt8]
    let vouches: [Glob]

    /// `names`: the certificate's names, the one `allowed_clients` let in first.
    init?(names: [String], relays: [String: [String]]) {
        guard let first = names.first else { return nil }
        name = Array(first.utf8)
        let relay = names.lazy.compactMap { name in relays.first { $0.key.lowercased() == name.lowercased() }?.value }
            .first
        vouches = (relay ?? []).map { Glob($0, caseSensitive: false) }
    }

    /// The source host for a message with this HOSTNAME, and whether the HOSTNAME was not covered.
    func host(for hostname: UnsafeRawBufferPointer) -> (host: [UInt8]?, mismatch: Bool) {
        if hostname.count == name.count && zip(hostname, name).allSatisfy({ Self.lower($0) == Self.lower($1) }) {
            return (nil, false)
        }
        if vouches.contains(where: { $0.matches(hostname) }) { return (nil, false) }
        return (name, true)
    }

    private static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }
}
