import Logging
import SieveConfig
import SieveEvent

/// What a TLS connection's client certificate says about its sender: the name shown in events
/// (`peer_certificate`), and under `source_identity: certificate` the source host rule.
struct PeerIdentity {
    let certificateName: String
    let source: CertifiedSource?
    let mismatches: ListenerMetrics
    let warnings: ListenerWarnings

    /// The identity a handshake's certificate names give under the listener's `source_identity`
    /// and `relays`; nil without a name.
    static func of(
        names: [String], sourceIdentity: SourceIdentity, relays: [String: [String]], metrics: ListenerMetrics,
        warnings: ListenerWarnings
    ) -> PeerIdentity? {
        guard let first = names.first else { return nil }
        let source = sourceIdentity == .certificate ? CertifiedSource(names: names, relays: relays) : nil
        return PeerIdentity(certificateName: first, source: source, mismatches: metrics, warnings: warnings)
    }

    func mismatch(_ event: AuditEvent) {
        mismatches.identityMismatches.increment()
        let hostname = event.message.withUnsafeReadableBytes { bytes in
            event.header.hostname.map { String(decoding: bytes[$0].prefix(256), as: UTF8.self) } ?? ""
        }
        warnings.identity.warning(
            "a message's HOSTNAME is not covered by its sender's certificate; routed and counted by the certificate's name",
            metadata: ["hostname": "\(hostname)", "certificate": "\(certificateName)", "peer": "\(event.peer)"]
        )
    }
}
