import Foundation
import Testing

extension EndToEnd {
    @Suite("scripts/fire-drill")
    struct FireDrillScript {
        @Test(
            "the drill against a running auditsieve and a real rsyslog collector that stops reading: PASS, every record once, in order"
        )
        func drillPasses() async throws {
            let directory = try TemporaryDirectory("fire-drill")
            defer { directory.remove() }
            let port = try unusedPort()
            let collector = try await RsyslogReceiver.start(port: port, in: directory)
            defer { collector.stop() }
            let spool = directory.path("spool")
            let yaml = """
                listeners:
                  - {protocol: tcp, address: 127.0.0.1:0}
                spool: {directory: \(spool), fsync_interval_ms: 100}
                default_cluster:
                  spool: {max_bytes: 1GiB, memory_bytes: 256KiB}
                  sinks: [siem]
                sinks:
                  siem: {type: syslog, address: "127.0.0.1:\(port)", framing: octet-counted, write_timeout_ms: 60000}
                """
            let server = try await AuditsieveServer.start(yaml: yaml, in: directory)
            defer { server.stop() }
            let script = Paths.packageRoot.appendingPathComponent("scripts/fire-drill")
            let pid = collector.child.pid
            let result = try await runToCompletion(
                script,
                [
                    "--listener", "127.0.0.1:\(server.tcpPort)", "--spool", spool, "--binary",
                    try Paths.auditsieve().path,
                    "--block", "kill -STOP \(pid)", "--unblock", "kill -CONT \(pid)", "--records", "20000", "--rate",
                    "10000",
                    "--outage-after", "0.5", "--outage", "3", "--verify", collector.output, "--drain-timeout", "90",
                    "--metrics", "http://127.0.0.1:\(server.httpPort)/metrics",
                ],
                in: directory, name: "fire-drill", timeout: .seconds(180)
            )
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)\n\(server.stderrTail())")
            #expect(result.stdout.contains("PASS"))
            #expect(result.stdout.contains("20000/20000 arrived, 0 missing, 0 duplicates, 0 out of order"))
            #expect(result.stdout.contains("dropped during the drill: none"), "\(result.stdout)")
            #expect(result.stdout.contains("accounting adds up for all 1 queues"), "\(result.stdout)")
            // The outage was real: the spool held events at some point.
            #expect(
                result.stdout.range(of: #"peak [1-9][0-9]* events"#, options: .regularExpression) != nil,
                "\(result.stdout)")
        }

        @Test(
            "--fill-disk: the spool's filesystem (a real 8 MiB tmpfs) is full through the outage and the drain; PASS, every record once, in order",
            .enabled(if: SmallFilesystem.available, "needs permission to mount a tmpfs"))
        func fullDiskDrillPasses() async throws {
            let directory = try TemporaryDirectory("fire-drill-full")
            defer { directory.remove() }
            let disk = try SmallFilesystem(at: directory.path("disk"), size: "8m")
            defer { disk.unmount() }
            let port = try unusedPort()
            let collector = try await RsyslogReceiver.start(port: port, in: directory)
            defer { collector.stop() }
            let spool = disk.path + "/spool"
            let yaml = """
                listeners:
                  - {protocol: tcp, address: 127.0.0.1:0}
                spool: {directory: \(spool), fsync_interval_ms: 100}
                default_cluster:
                  spool: {max_bytes: 1GiB, memory_bytes: 256KiB}
                  sinks: [siem]
                sinks:
                  siem: {type: syslog, address: "127.0.0.1:\(port)", framing: octet-counted, write_timeout_ms: 60000}
                """
            let server = try await AuditsieveServer.start(yaml: yaml, in: directory)
            defer { server.stop() }
            let script = Paths.packageRoot.appendingPathComponent("scripts/fire-drill")
            let pid = collector.child.pid
            let result = try await runToCompletion(
                script,
                [
                    "--listener", "127.0.0.1:\(server.tcpPort)", "--spool", spool, "--binary",
                    try Paths.auditsieve().path,
                    "--block", "kill -STOP \(pid)", "--unblock", "kill -CONT \(pid)", "--records", "20000", "--rate",
                    "10000",
                    "--outage-after", "0.5", "--outage", "3", "--verify", collector.output, "--drain-timeout", "90",
                    "--metrics", "http://127.0.0.1:\(server.httpPort)/metrics", "--fill-disk",
                ],
                in: directory, name: "fire-drill", timeout: .seconds(180)
            )
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)\n\(server.stderrTail())")
            #expect(result.stdout.contains("disk filled:"))
            #expect(
                result.stdout.range(
                    of: #"spool out-of-space errors during the drill: [1-9]"#, options: .regularExpression) != nil,
                "\(result.stdout)")
            #expect(
                result.stdout.contains("20000/20000 arrived, 0 missing, 0 duplicates, 0 out of order"),
                "\(result.stdout)")
            #expect(result.stdout.contains("dropped during the drill: none"), "\(result.stdout)")
            #expect(result.stdout.contains("filler removed"))
        }
    }
}
