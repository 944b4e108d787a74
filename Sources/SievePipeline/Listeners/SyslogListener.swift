import NIOCore
import SieveConfig

/// A bound syslog listener. `bind` happens before the service group starts, so a port that is
/// taken fails the start with a clear message and every bound address is known (and logged).
public protocol SyslogListener: AnyObject, Sendable {
    var config: ListenerConfig { get }
    /// Binds and starts accepting; returns the address actually bound (port 0 resolves here).
    func bind(on group: any EventLoopGroup) async throws -> SocketAddress
    /// Stops accepting, closes open connections; their last partial frames are processed.
    func stop() async
}
