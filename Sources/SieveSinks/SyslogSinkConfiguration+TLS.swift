import NIOSSL
import SieveSinkConfig

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension SyslogSinkConfiguration.TLS {
    /// Loads every PEM file now, so a wrong path stops the daemon's start with the file's name
    /// instead of failing every connection later. TLS 1.2 is the least it speaks: a receiver
    /// offering only TLS 1.0 or 1.1 is refused.
    func makeClientContext(sink: String) throws(SinkError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caPath {
            let roots = try Self.load(caPath, role: "CA certificate", sink: sink, Self.certificates)
            configuration.trustRoots = .certificates(roots)
        }
        switch (certPath, keyPath) {
        case (nil, nil):
            break
        case (let certPath?, let keyPath?):
            let chain = try Self.load(certPath, role: "certificate", sink: sink, Self.certificates)
            configuration.certificateChain = chain.map { .certificate($0) }
            let key = try Self.load(keyPath, role: "private key", sink: sink) {
                try NIOSSLPrivateKey(file: $0, format: .pem)
            }
            configuration.privateKey = .privateKey(key)
        case (let certPath?, nil):
            throw SinkError(
                sink: sink, path: certPath, role: "certificate",
                reason: "a client certificate needs its private key (key)"
            )
        case (nil, let keyPath?):
            throw SinkError(
                sink: sink, path: keyPath, role: "private key", reason: "a private key needs its certificate (cert)"
            )
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            let path = [certPath, keyPath, caPath].compactMap { $0 }.joined(separator: ", ")
            let hint = certPath == nil ? "" : " (does the key belong to the certificate?)"
            throw SinkError(sink: sink, path: path, role: "files", reason: "\(error)\(hint)")
        }
    }

    /// The name sent as SNI and checked against the server's certificate. An IP address cannot be
    /// sent as SNI: then NIOSSL checks the certificate's IP entries against the connected address.
    func serverHostname(connectingTo host: String) -> String? {
        let name = serverName ?? host
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        let isAddress = inet_pton(AF_INET, name, &ipv4) == 1 || inet_pton(AF_INET6, name, &ipv6) == 1
        return isAddress ? nil : name
    }

    private static func load<Value>(
        _ path: String, role: String, sink: String, _ parse: (String) throws -> Value
    ) throws(SinkError) -> Value {
        guard access(path, R_OK) == 0 else {
            throw SinkError(sink: sink, path: path, role: role, reason: String(cString: strerror(errno)))
        }
        do {
            return try parse(path)
        } catch {
            throw SinkError(sink: sink, path: path, role: role, reason: "not a PEM \(role) (\(error))")
        }
    }

    /// Every certificate in a PEM file; a file without one is an error, not an empty trust list.
    private static func certificates(_ path: String) throws -> [NIOSSLCertificate] {
        let certificates = try NIOSSLCertificate.fromPEMFile(path)
        if certificates.isEmpty { throw NIOSSLError.failedToLoadCertificate }
        return certificates
    }
}
