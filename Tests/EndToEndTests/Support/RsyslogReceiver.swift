import Foundation
import SieveTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A private rsyslogd as the *downstream* collector: imtcp on a given port, every message's MSG
/// written as a line to a file. auditsieve's syslog sink forwards to it (with `relp`: imrelp,
/// for the RELP sink; Debian's rsyslog-relp).
final class RsyslogReceiver: @unchecked Sendable {
    let child: ChildProcess
    let output: String

    private init(child: ChildProcess, output: String) {
        self.child = child
        self.output = output
    }

    static func start(port: Int, in directory: TemporaryDirectory, name: String = "collector", relp: Bool = false)
        async throws
        -> RsyslogReceiver
    {
        let rsyslogd = try Paths.tool("rsyslogd", package: "rsyslog")
        let work = directory.path("\(name)-work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let output = directory.path("\(name).log")
        let conf = """
            global(workDirectory="\(work)" maxMessageSize="64k")
            module(load="\(relp ? "imrelp" : "imtcp")")
            input(type="\(relp ? "imrelp" : "imtcp")" port="\(port)" address="127.0.0.1")
            template(name="msgonly" type="string" string="%msg%\\n")
            action(type="omfile" file="\(output)" template="msgonly" flushOnTXEnd="on" asyncWriting="off")

            """
        let confPath = directory.path("\(name).conf")
        try conf.write(toFile: confPath, atomically: true, encoding: .utf8)
        let child = try ChildProcess(
            rsyslogd, ["-n", "-f", confPath, "-i", directory.path("\(name).pid")], name: name, in: directory)
        do {
            try await eventually("\(name) to listen on \(port)", diagnostics: { child.stderrTail() }) { () -> Bool? in
                if !child.isRunning { throw TestFailure("\(name) exited\n\(child.stderrTail())") }
                guard let probe = try? TCPConnection(port: port) else { return nil }
                probe.close()
                return true
            }
        } catch {
            child.stop()
            throw error
        }
        return RsyslogReceiver(child: child, output: output)
    }

    /// Percona record ids (`N_1970-01-01T00:00:00`) of the received lines, in arrival order.
    func recordIDs() -> [String] {
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: #""record":""#) else { return nil }
            return String(line[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    func stop() { child.stop() }
}

/// A loopback TCP port nothing listens on, below the kernel's ephemeral range (so no outgoing
/// connection or `bind(port: 0)` takes it before the test uses it).
func unusedPort() throws -> Int {
    for _ in 0..<100 {
        let port = portOutsideEphemeralRange()
        if (try? TCPConnection(port: port)) == nil, canBind(port) { return port }
    }
    throw TestFailure("no free port below the ephemeral range")
}

/// Whether 127.0.0.1:port can be bound now.
private func canBind(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { Glibc.close(fd) }
    return withLoopbackAddress(port: port) { bind(fd, $0, $1) } == 0
}
