import Foundation
import Testing

/// A private rsyslogd in the foreground: reads syslog(3)-style datagrams on a socket in the
/// temporary directory (imuxsock, not /dev/log) and forwards them with omfwd over TCP.
final class Rsyslog: @unchecked Sendable {
    let child: ChildProcess
    /// Where to send datagrams, as glibc sends to /dev/log.
    let socketPath: String

    struct Forwarding: Sendable, CustomTestStringConvertible {
        /// `global(...)` settings, e.g. `maxMessageSize="64k"`.
        var global: String
        /// Extra `action(type="omfwd" ...)` parameters; empty = traditional `@@` framing.
        var omfwd: String
        var label: String
        /// The template sends an RFC 5424 header (RFC 3339 timestamp) instead of RFC 3164.
        var rfc5424 = false
        var testDescription: String { label }
    }

    private init(child: ChildProcess, socketPath: String) {
        self.child = child
        self.socketPath = socketPath
    }

    static func start(forwardingTo port: Int, _ forwarding: Forwarding, in directory: TemporaryDirectory) async throws
        -> Rsyslog
    {
        let work = directory.path("rsyslog-work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        // A short socket path: sun_path holds 108 bytes.
        let socketPath = directory.path("log.sock")
        let conf = """
            global(workDirectory="\(work)" \(forwarding.global))
            module(load="imuxsock" SysSock.Use="off")
            input(type="imuxsock" Socket="\(socketPath)" RateLimit.Interval="0")
            action(type="omfwd" target="127.0.0.1" port="\(port)" protocol="tcp" \(forwarding.omfwd))

            """
        let child = try await launch(conf: conf, waitingFor: socketPath, in: directory)
        return Rsyslog(child: child, socketPath: socketPath)
    }

    /// Writes `conf` as the temporary directory's rsyslog.conf, starts rsyslogd in the foreground
    /// with it, and waits until it has created its imuxsock socket at `socketPath`.
    static func launch(conf: String, waitingFor socketPath: String, in directory: TemporaryDirectory) async throws
        -> ChildProcess
    {
        let rsyslogd = try Paths.tool("rsyslogd", package: "rsyslog")
        let confPath = directory.path("rsyslog.conf")
        try conf.write(toFile: confPath, atomically: true, encoding: .utf8)
        let child = try ChildProcess(
            rsyslogd, ["-n", "-f", confPath, "-i", directory.path("rsyslogd.pid")], name: "rsyslogd", in: directory
        )
        do {
            _ = try await eventually("rsyslogd to create \(socketPath)", diagnostics: { child.stderrTail() }) {
                () -> Bool? in
                if !child.isRunning {
                    throw TestFailure(
                        "rsyslogd exited with status \(child.terminationStatus ?? -1)\n\(child.stderrTail())")
                }
                return FileManager.default.fileExists(atPath: socketPath) ? true : nil
            }
        } catch {
            child.stop()
            throw error
        }
        return child
    }

    /// Sends a record the way the Percona plugin does: `openlog("percona-audit", 0, LOG_USER)`,
    /// `syslog(LOG_INFO, "%s", record)`: one datagram `<14>Mmm dd hh:mm:ss percona-audit: RECORD`,
    /// the record with its own LFs and trailing LF, exactly as glibc writes it.
    func sendAsPlugin(_ record: String) throws {
        try sendUnixDatagram(Array("<14>Nov 22 01:30:19 percona-audit: \(record)".utf8), to: socketPath)
    }

    func stop() { child.stop() }
    func stderrTail() -> String { child.stderrTail() }
}
