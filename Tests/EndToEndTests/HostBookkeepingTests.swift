import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension EndToEnd {
    /// docs/HOSTILE.md D6: the per-message host bookkeeping was linear in the hosts of a read burst
    /// (and registering a host slower the more existed), so a stream of distinct HOSTNAMEs cost an
    /// order of magnitude more CPU than the same stream from one host. It is constant time now.
    /// This compares the server's CPU for the two streams in one run (a ratio: absolute speed moves
    /// between machines and days); the old code took 10 to 14 times as long for distinct hosts.
    @Suite("host bookkeeping per message")
    struct HostBookkeeping {
        static let yaml = """
            listeners:
              - {protocol: tcp, address: 127.0.0.1:0}
            default_cluster:
              keep_tables: ["billing.*"]
              keep_unrecognized: false
              keep_other: false
              sinks: [f]
            sinks:
              f: {type: file, path: /dev/null}
            """

        /// The server's user + system CPU seconds so far (/proc/PID/stat).
        static func cpuSeconds(_ pid: pid_t) -> Double {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return 0 }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // After the command: state is field 3, utime 14, stime 15 (1-based in proc(5)).
            let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
            return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
        }

        static func stream(count: Int, distinct: Bool, offset: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(count * 40)
            for n in 0..<count {
                bytes += Array(
                    "<14>Nov 22 01:02:03 h\(distinct ? String(format: "%07d", offset + n) : "0000000") t: x\n".utf8)
            }
            return bytes
        }

        @Test("60,000 filtered messages with distinct HOSTNAMEs cost about as much CPU as from one host")
        func distinctHostsAreNotQuadratic() async throws {
            let directory = try TemporaryDirectory("hosts")
            defer { directory.remove() }
            let server = try await AuditsieveServer.start(yaml: Self.yaml, in: directory)
            defer { server.stop() }
            let count = 60_000
            var total = 0
            func run(distinct: Bool, offset: Int) async throws -> Double {
                let bytes = Self.stream(count: count, distinct: distinct, offset: offset)
                let before = Self.cpuSeconds(server.child.pid)
                let connection = try TCPConnection(port: server.tcpPort)
                try connection.send(bytes)
                connection.close()
                total += count
                let target = Double(total)
                _ = try await eventually(
                    "\(total) frames read", timeout: .seconds(120), diagnostics: { server.stderrTail() }
                ) {
                    try MetricsScrape(httpPort: server.httpPort).value("auditsieve_received_events_total") >= target
                        ? true : nil
                }
                return Self.cpuSeconds(server.child.pid) - before
            }
            // Warm up, then alternate so a busy moment of the machine hits both kinds.
            _ = try await run(distinct: false, offset: 0)
            var one = 0.0
            var many = 0.0
            for round in 0..<2 {
                many += try await run(distinct: true, offset: round * count)
                one += try await run(distinct: false, offset: 0)
            }
            #expect(many < 4 * max(one, 0.05), "distinct hosts took \(many) s of CPU, one host \(one) s")
        }
    }
}
