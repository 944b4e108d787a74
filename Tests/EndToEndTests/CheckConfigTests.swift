import Foundation
import Testing

extension EndToEnd {
    /// `check-config`: the file and the paths it names (HOSTILE D16: paths `serve` could not use
    /// used to pass the check).
    @Suite("check-config")
    struct CheckConfig {
        @Test(
            "a good config prints OK; a spool directory that cannot be created and a NUL in a path fail with FILE:LINE")
        func pathsChecked() async throws {
            let directory = try TemporaryDirectory("check-config")
            defer { directory.remove() }
            FileManager.default.createFile(atPath: directory.path("afile"), contents: Data("x".utf8))
            let good = directory.path("good.yml")
            try """
            listeners: [{protocol: tcp, address: 127.0.0.1:0}]
            spool: {directory: \(directory.path("spool"))}
            default_cluster: {sinks: [out]}
            sinks: {out: {type: file, path: \(directory.path("out/events.jsonl"))}}
            """.write(toFile: good, atomically: true, encoding: .utf8)
            let bad = directory.path("bad.yml")
            try """
            listeners: [{protocol: tcp, address: 127.0.0.1:0}]
            spool:
              directory: \(directory.path("afile"))/spool
            default_cluster: {sinks: [out]}
            sinks: {out: {type: file, path: \(directory.path("out.jsonl"))}}
            """.write(toFile: bad, atomically: true, encoding: .utf8)
            let nul = directory.path("nul.yml")
            try """
            listeners: [{protocol: tcp, address: 127.0.0.1:0}]
            default_cluster: {sinks: [out]}
            sinks: {out: {type: file, path: "/tmp/a\\0/etc/x"}}
            """.write(toFile: nul, atomically: true, encoding: .utf8)
            let binary = try Paths.auditsieve()
            let ok = try await runToCompletion(binary, ["check-config", good], in: directory, name: "good")
            #expect(ok.status == 0 && ok.stdout.contains("OK"), "\(ok.stdout)\(ok.stderr)")
            let failed = try await runToCompletion(binary, ["check-config", bad], in: directory, name: "bad")
            #expect(failed.status == 1)
            #expect(
                failed.stdout.contains("\(bad):3: spool: directory: \(directory.path("afile")) is not a directory"),
                "\(failed.stdout)")
            let nulResult = try await runToCompletion(binary, ["check-config", nul], in: directory, name: "nul")
            #expect(
                nulResult.status == 1 && nulResult.stdout.contains("\(nul):3: sink 'out': path holds a NUL byte"),
                "\(nulResult.stdout)")
        }
    }
}
