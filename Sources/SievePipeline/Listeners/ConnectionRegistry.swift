import NIOConcurrencyHelpers
import NIOCore

/// The open connections of one TCP listener. At `maxConnections`, or at `maxPerSender` from one
/// address, a *new* connection is refused: an open connection is never closed to make room (a
/// sender pausing between bursts would lose what its kernel had already accepted), only an idle
/// one, by `idle_timeout`.
final class ConnectionRegistry: Sendable {
    /// Why a connection was refused (the `reason` of `auditsieve_rejected_connections_total`).
    enum Refusal: String, Sendable, CaseIterable {
        case maxConnections = "max_connections"
        case maxConnectionsPerSender = "max_connections_per_sender"
        /// Its address is outside the listener's `allowed_senders`.
        case senderNotAllowed = "sender_not_allowed"
        /// The TLS handshake failed or did not finish within `handshake_timeout` (a plain-text client, a scanner).
        case tlsHandshake = "tls_handshake"
        /// No client certificate, one the `client_ca` did not sign, or a name outside `allowed_clients`.
        case clientCertificate = "client_certificate"
    }

    private struct State {
        var channels: [ObjectIdentifier: (channel: any Channel, sender: [UInt8])] = [:]
        var perSender: [[UInt8]: Int] = [:]
    }

    private let maxConnections: Int
    private let maxPerSender: Int
    private let state = NIOLockedValueBox(State())

    init(maxConnections: Int, maxPerSender: Int) {
        self.maxConnections = maxConnections
        self.maxPerSender = maxPerSender
    }

    /// Registers a new connection from `sender` (its address bytes), or says why it is refused.
    func admit(_ channel: any Channel, sender: [UInt8]) -> Refusal? {
        state.withLockedValue { state in
            guard state.channels.count < maxConnections else { return .maxConnections }
            let fromSender = state.perSender[sender, default: 0]
            guard fromSender < maxPerSender else { return .maxConnectionsPerSender }
            state.channels[ObjectIdentifier(channel)] = (channel, sender)
            state.perSender[sender] = fromSender + 1
            return nil
        }
    }

    func remove(_ channel: any Channel) {
        state.withLockedValue { state in
            guard let entry = state.channels.removeValue(forKey: ObjectIdentifier(channel)) else { return }
            let left = state.perSender[entry.sender, default: 1] - 1
            state.perSender[entry.sender] = left > 0 ? left : nil
        }
    }

    var count: Int { state.withLockedValue { $0.channels.count } }

    /// Closes every connection (shutdown) and waits for them to finish closing.
    func closeAll() async {
        let channels = state.withLockedValue { state in
            defer {
                state.channels.removeAll()
                state.perSender.removeAll()
            }
            return state.channels.values.map(\.channel)
        }
        for channel in channels {
            try? await channel.close()
        }
    }
}
