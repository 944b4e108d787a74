import NIOSSL
import SieveConfig

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Builds a TCP listener's server TLS context from its PEM files: TLS 1.2 at least; with
/// `client_ca`, a client certificate signed by it is required (mutual TLS, no hostname check:
/// which names may connect is `allowed_clients`).
enum ListenerTLSContext {
    static func make(_ tls: ListenerTLSConfig, listener: String) throws(ListenerTLSError) -> NIOSSLContext {
        func fail(_ path: String, _ role: String, _ reason: String) -> ListenerTLSError {
            ListenerTLSError(listener: listener, path: path, role: role, reason: reason)
        }
        func readable(_ path: String, _ role: String) throws(ListenerTLSError) {
            guard access(path, R_OK) == 0 else { throw fail(path, role, String(cString: strerror(errno))) }
        }
        try readable(tls.certPath, "cert")
        try readable(tls.keyPath, "key")
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(tls.certPath)
        } catch {
            throw fail(tls.certPath, "cert", "not a PEM certificate (\(error))")
        }
        if chain.isEmpty { throw fail(tls.certPath, "cert", "holds no certificate") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: tls.keyPath, format: .pem)
        } catch {
            throw fail(tls.keyPath, "key", "not a PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        if let caPath = tls.clientCAPath {
            try readable(caPath, "client_ca")
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMFile(caPath)
            } catch {
                throw fail(caPath, "client_ca", "not a PEM certificate (\(error))")
            }
            if roots.isEmpty { throw fail(caPath, "client_ca", "holds no certificate") }
            configuration.trustRoots = .certificates(roots)
            configuration.certificateVerification = .noHostnameVerification
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw fail(
                "\(tls.certPath), \(tls.keyPath)", "cert and key", "\(error) (does the key belong to the certificate?)")
        }
    }
}
