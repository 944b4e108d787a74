import NIOSSL

/// The names a client certificate holds, as `allowed_clients` and `source_identity` read them:
/// its DNS subject alternative names, then its subject CN.
enum ClientCertificateNames {
    static func of(_ certificate: NIOSSLCertificate) -> [String] {
        var names: [String] = []
        for name in certificate._subjectAlternativeNames() where name.nameType == .dnsName {
            names.append(name.contents.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) })
        }
        for entry in certificate.subjectName where entry.type == .commonName && !names.contains(entry.value) {
            names.append(entry.value)
        }
        return names
    }
}
