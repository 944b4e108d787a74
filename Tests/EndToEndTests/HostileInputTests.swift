import Foundation
import Testing
import SieveTestSupport

extension EndToEnd {
    @Suite("hostile input against the binary")
    struct HostileInput {
        @Test(
            "random bytes, a 2^40 octet claim, a 10 MB line, NULs, invalid UTF-8 and 300 idle connections while a clean sender's 500 records all arrive"
        )
        func hostileMixWithCleanSender() async throws {
            let directory = try TemporaryDirectory("hostile")
            defer { directory.remove() }
            let output = EventFile(path: directory.path("events.jsonl"))
            let server = try await AuditsieveServer.start(
                yaml: AuditsieveServer.fileSinkYAML(output: output.path, flushIntervalMilliseconds: 100), in: directory
            )
            defer { server.stop() }
            let port = server.tcpPort
            let header = "<14>Nov 22 01:30:19 db1 percona-audit: "

            // 300 connections that connect and never send, held open through the whole test, from
            // five addresses (one address may hold at most max_connections_per_sender, 64).
            var idle: [TCPConnection] = []
            defer { for connection in idle { connection.close() } }
            for index in 0..<300 { idle.append(try TCPConnection(port: port, from: "127.0.0.\(2 + index % 5)")) }

            // The clean sender: 500 records, LF and octet-counted frames alternating (auto framing),
            // written in odd-sized pieces.
            let clean = (0..<500).map { "\(5000 + $0)_1970-01-01T00:00:00" }
            let cleanBytes: [UInt8] = clean.enumerated().flatMap { index, record in
                let sql = "SELECT * FROM orders WHERE customer_id = \(index) AND note = 'x\\ty'"
                return Array(
                    (index % 2 == 0
                        ? PluginRecords.forwardedLine(record: record, sql: sql)
                        : PluginRecords.octetFrame(record: record, sql: sql)).utf8
                )
            }

            // Tagged hostile records: each must become an event (or, for the 10 MB line, a cut one).
            let hugeRecord = "900_1970-01-01T00:00:00"
            let afterHuge = "901_1970-01-01T00:00:00"
            let nulRecord = "902_1970-01-01T00:00:00"
            let badUTF8Record = "903_1970-01-01T00:00:00"
            let tenMegabytes = 10 * 1024 * 1024
            let huge: [UInt8] =
                Array(
                    (header
                        + #"{"audit_record":{"name":"Query","record":"\#(hugeRecord)","timestamp":"2026-11-22T01:30:19Z","#
                        + #""command_class":"insert","connection_id":"7","status":0,"sqltext":""#).utf8
                )
                + [UInt8](repeating: UInt8(ascii: "x"), count: tenMegabytes) + Array("\"}}\n".utf8)
                + Array(PluginRecords.forwardedLine(record: afterHuge).utf8)
            // CSV carries raw control characters, NUL included (docs/FORMATS.md §2.5); and a line of NULs.
            let nuls: [UInt8] =
                [UInt8](repeating: 0, count: 4096) + [0x0A]
                + Array(
                    (header + "\"Query\",\"\(nulRecord)\",\"2026-11-22T01:30:19Z\",\"select\",\"7\",0,"
                        + "\"SELECT 'a\u{0}b'\",\"app[app] @ web1 [10.0.0.5]\",\"web1\",\"\",\"10.0.0.5\",\"billing\"")
                        .utf8
                ) + [0x0A]
            let badUTF8: [UInt8] =
                Array(
                    (header + PluginRecords.jsonQuery(record: badUTF8Record, sql: "SELECT 'BAD'")).utf8
                ).replacing(Array("BAD".utf8), with: [0xC3, 0x28, 0xFF, 0xED, 0xA0, 0x80]) + [0x0A]
                + [0xFF, 0xFE, 0xFD, 0x0A]
            var generator = SeededRandom(seed: 0x5EED_A0D1)
            let randomBytes = (0..<2_000_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let liar =
                Array("1099511627776 <14>Nov 22 01:30:19 db1 percona-audit: {\"audit_record\":{".utf8)
                + [UInt8](repeating: UInt8(ascii: "y"), count: 100_000)

            let liarClosed = ErrorBox()
            try await onThreads([
                {
                    let socket = try TCPConnection(port: port)
                    var offset = 0
                    var size = 1
                    while offset < cleanBytes.count {
                        let end = min(cleanBytes.count, offset + size)
                        try socket.send(Array(cleanBytes[offset..<end]))
                        offset = end
                        size = size * 7 % 4093 + 1
                    }
                    socket.close()
                },
                {
                    let socket = try TCPConnection(port: port)
                    try socket.send(huge)
                    socket.close()
                },
                {
                    let socket = try TCPConnection(port: port)
                    try socket.send(nuls)
                    socket.close()
                },
                {
                    let socket = try TCPConnection(port: port)
                    try socket.send(badUTF8)
                    socket.close()
                },
                {
                    // The server may close this connection mid-way (a frame header it refuses).
                    let socket = try TCPConnection(port: port)
                    socket.sendIgnoringClose(randomBytes)
                    socket.close()
                },
                {
                    let socket = try TCPConnection(port: port)
                    socket.sendIgnoringClose(liar)
                    if !socket.waitForServerClose() {
                        liarClosed.add(TestFailure("the server kept a connection open that claimed a 2^40-octet frame"))
                    }
                    socket.close()
                },
            ])
            if let error = liarClosed.first { Issue.record(error) }

            let tagged = [hugeRecord, afterHuge, nulRecord, badUTF8Record]
            let events = try await output.waitForRecords(clean + tagged, diagnostics: { server.stderrTail() })
            #expect(server.isRunning, "the server died\n\(server.stderrTail())")
            expectUnique(try output.events(), records: clean + tagged)
            for (index, record) in clean.enumerated() {
                let event = try #require(events[record])
                #expect(
                    event.string("sqltext") == "SELECT * FROM orders WHERE customer_id = \(index) AND note = 'x\ty'")
                #expect(event.bool("truncated") == false)
            }

            let cut = try #require(events[hugeRecord])
            #expect(cut.bool("message_truncated") == true, "the listener cut the 10 MB line at max_message_bytes")
            #expect(cut.bool("truncated") == true)
            #expect(cut.string("truncated_field") == "sqltext")
            let kept = cut.string("sqltext") ?? ""
            #expect(!kept.isEmpty && kept.utf8.count < 256 * 1024 && kept.allSatisfy { $0 == "x" })
            #expect(events[afterHuge]?.bool("truncated") == false, "the line after the 10 MB one is read whole")

            #expect(
                events[nulRecord]?.string("sqltext") == "SELECT 'a\u{0}b'", "a raw NUL is kept (written as \\u0000)")
            #expect(
                events[badUTF8Record]?.string("sqltext") == "SELECT '\u{FFFD}(\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}'",
                "invalid UTF-8: one U+FFFD per byte"
            )

            // Still serving: a new connection's record arrives.
            let last = "999_1970-01-01T00:00:00"
            let connection = try TCPConnection(port: port)
            defer { connection.close() }
            try connection.send(PluginRecords.forwardedLine(record: last))
            _ = try await output.waitForRecords([last], diagnostics: { server.stderrTail() })
            #expect(server.isRunning)
        }
    }
}

extension Array where Element == UInt8 {
    /// The bytes with the first occurrence of `pattern` replaced.
    func replacing(_ pattern: [UInt8], with replacement: [UInt8]) -> [UInt8] {
        guard pattern.count <= count else { return self }
        for start in 0...(count - pattern.count) where Array(self[start..<(start + pattern.count)]) == pattern {
            return Array(self[..<start]) + replacement + Array(self[(start + pattern.count)...])
        }
        return self
    }
}
