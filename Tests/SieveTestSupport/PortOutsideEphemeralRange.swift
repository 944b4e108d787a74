import Foundation

/// A random loopback port below the kernel's ephemeral range (`ip_local_port_range`), so no
/// outgoing connection or `bind(port: 0)` of a test running alongside can take it while a test
/// holds it free on purpose (a collector that is "down"). The caller still checks it is free.
public func portOutsideEphemeralRange() -> Int {
    let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? "32768 60999"
    let low = Int(text.split(whereSeparator: \.isWhitespace).first ?? "32768") ?? 32768
    return Int.random(in: 10_000...(max(10_100, min(low, 65_535)) - 1))
}
