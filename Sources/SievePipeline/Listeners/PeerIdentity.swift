import Logging
import SieveEvent

/// What a TLS connection's client certificate says about its sender: the name shown in events
/// (`peer_certificate`), and under `source_identity: certificate` the source host rule.
struct PeerIdentity {
    let certificateName: String
    let source: CertifiedSource?
    let mismatches: ListenerMetrics
    let warnings: ListenerWarnings

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
