import NIOCore

/// Who is at the other end of a TCP or RELP connection, noted once it is active: the peer as
/// logs show it (`10.0.0.5:41234`) and its address bytes, for `allowed_senders`-style matching
/// and the batcher's cluster matches.
struct ConnectionPeer {
    private(set) var name = "-"
    private(set) var address: [UInt8]?

    mutating func note(_ context: ChannelHandlerContext) {
        name = context.remoteAddress.map(PeerName.of) ?? "-"
        address = context.remoteAddress.flatMap(PeerName.addressBytes)
    }
}
