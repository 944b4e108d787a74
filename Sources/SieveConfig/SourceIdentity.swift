/// A listener's `source_identity`: what names the source host of its messages (routing by
/// `hostnames:`, record gaps, last-seen).
public enum SourceIdentity: String, Sendable, CaseIterable {
    /// The syslog HOSTNAME the sender wrote (not authenticated).
    case header
    /// The name in the client certificate (TLS with `client_ca`); a relay's certificate may vouch
    /// for the HOSTNAMEs listed under it in `relays`.
    case certificate
}
