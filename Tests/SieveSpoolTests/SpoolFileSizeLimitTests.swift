#if os(Linux)
    import Foundation
    import Testing
    @testable import SieveSpool

    /// A real file-size limit (RLIMIT_FSIZE) is process-wide, so the test re-runs itself in a child
    /// process that sets it; the parent then reopens the child's spool without the limit.
    @Suite("A real file-size limit (setrlimit + SIGXFSZ ignored)")
    struct SpoolFileSizeLimitTests {
        private static let childVariable = "SIEVESPOOL_FSIZE_CHILD_DIRECTORY"

        @Test(
            "EFBIG under RLIMIT_FSIZE answers full, the process keeps running, every accepted event survives or is counted lost"
        )
        func fileSizeLimit() throws {
            if let directory = ProcessInfo.processInfo.environment[Self.childVariable] {
                try runAsChild(directory)
                return
            }
            let directory = TemporaryDirectory()
            defer { directory.remove() }
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["--testing-library", "swift-testing", "--filter", "fileSizeLimit"]
            child.environment = ProcessInfo.processInfo.environment.merging([Self.childVariable: directory.path]) { $1 }
            let output = Pipe()
            child.standardOutput = output
            child.standardError = FileHandle.nullDevice
            try child.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            child.waitUntilExit()
            #expect(child.terminationReason == .exit && child.terminationStatus == 0)
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("spool-child") })
            let fields = Dictionary(
                uniqueKeysWithValues: line.split(separator: " ").dropFirst().map {
                    let pair = $0.split(separator: "=")
                    return (String(pair[0]), Int(pair[1]) ?? -1)
                })
            #expect(fields["full"]! > 0 && fields["outOfSpace"]! > 0)
            let kept = fields["written"]! - fields["lost"]!
            #expect(kept > 1000 && fields["lost"]! < 4096 / 200)
            let queue = try SpoolQueue(configuration: configuration(directory.path))
            #expect(drain(queue).compactMap { index(of: Array($0.dropFirst(200))) } == Array(0..<kept))
        }

        private func runAsChild(_ directory: String) throws {
            signal(SIGXFSZ, SIG_IGN)
            var limit = rlimit(rlim_cur: 256 << 10, rlim_max: 256 << 10)
            setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit)
            let queue = try SpoolQueue(
                configuration: configuration(directory, maxBytes: 64 << 20, segmentBytes: 1 << 20, blockBytes: 4096))
            var written = 0
            var full = 0
            for index in 0..<10_000 where full < 20 {
                let event = incompressible(200, seed: UInt64(index + 1)) + numbered(written)
                if queue.append(event) == .written { written += 1 } else { full += 1 }
            }
            queue.close()
            let statistics = queue.statistics
            print(
                "spool-child written=\(written) full=\(full) outOfSpace=\(statistics.outOfSpaceErrors) lost=\(statistics.lostEvents)"
            )
        }
    }
#endif
