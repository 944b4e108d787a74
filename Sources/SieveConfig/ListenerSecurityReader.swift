import SieveRules
import Yams

/// Reads a listener's `allowed_senders`, `tls`, `source_identity` and `relays`.
enum ListenerSecurityReader {
    static func read(_ section: ConfigReader.Section, into listener: inout ListenerConfig, reader: ConfigReader) {
        let what = "listener \(listener.name)"
        if let node = section["allowed_senders"], let blocks = reader.strings(node, "\(what): allowed_senders") {
            for block in blocks {
                do { _ = try CIDRBlock(block) } catch {
                    reader.fail(reader.line(node), "\(what): allowed_senders: \(error)")
                }
            }
            if blocks.isEmpty {
                reader.fail(
                    reader.line(node),
                    "\(what): allowed_senders is empty, which would refuse every sender; remove the key to let everyone in"
                )
            }
            listener.allowedSenders = blocks
        }
        if let node = section["tls"], listener.transport.isStream {
            listener.tls = readTLS(node, what: what, reader: reader)
        }
        if let node = section["source_identity"],
            let value = reader.choice(node, "\(what): source_identity", as: SourceIdentity.self)
        {
            listener.sourceIdentity = value
            if value == .certificate && listener.tls?.clientCAPath == nil {
                reader.fail(
                    reader.line(node),
                    "\(what): source_identity: certificate needs client certificates: add tls with client_ca")
            }
        }
        if let node = section["relays"], listener.transport.isStream {
            guard case .mapping(let mapping) = node else {
                reader.fail(
                    reader.line(node), "\(what): relays must map relay certificate names to lists of HOSTNAME globs")
                return
            }
            for (key, value) in mapping {
                guard let name = reader.string(key, "\(what): relays: a relay name"),
                    let globs = reader.strings(value, "\(what): relays: \(key.string ?? "")")
                else { continue }
                listener.relays[name] = globs
            }
            if listener.sourceIdentity != .certificate {
                reader.fail(reader.line(node), "\(what): relays apply with source_identity: certificate")
            }
        }
    }

    /// A server's `tls:` (`cert`, `key`, `client_ca`, and for a listener `allowed_clients` and
    /// `handshake_timeout`): the listeners' and the HTTP endpoint's, taking the keys in `keys`.
    static func readTLS(
        _ node: Node, what: String, reader: ConfigReader,
        keys: [String] = ["cert", "key", "client_ca", "allowed_clients", "handshake_timeout"]
    ) -> ListenerTLSConfig? {
        guard let section = reader.section(node, "\(what): tls", allowed: keys) else { return nil }
        guard let certNode = section["cert"], let cert = reader.string(certNode, "\(what): tls: cert"),
            let keyNode = section["key"], let key = reader.string(keyNode, "\(what): tls: key")
        else {
            reader.fail(
                section.line,
                "\(what): tls needs cert and key (PEM files: the server certificate chain and its private key)")
            return nil
        }
        var tls = ListenerTLSConfig(certPath: cert, keyPath: key, line: section.line)
        if let n = section["client_ca"] { tls.clientCAPath = reader.string(n, "\(what): tls: client_ca") }
        if let n = section["allowed_clients"] {
            tls.allowedClients = reader.strings(n, "\(what): tls: allowed_clients") ?? []
            if tls.clientCAPath == nil {
                reader.fail(
                    reader.line(n),
                    "\(what): tls: allowed_clients needs client_ca (without it no client certificate is asked for)")
            }
        }
        if let n = section["handshake_timeout"],
            let value = reader.durationMilliseconds(
                n, "\(what): tls: handshake_timeout", minimum: 100, maximum: 300_000)
        {
            tls.handshakeTimeoutMilliseconds = value
        }
        return tls
    }
}
