import ArgumentParser
import Foundation

/// Reads a capture file (or standard input) for `parse` and `explain`.
enum CaptureInput {
    /// Records keep 32-bit field offsets; a listener never passes more than 1 GiB per message.
    static let maxBytes = Int(UInt32.max)

    static func read(_ file: String?, command: String) throws -> [UInt8] {
        let data: Data
        do {
            data =
                try file.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
                ?? FileHandle.standardInput.readDataToEndOfFile()
        } catch {
            printToStandardError("\(command): cannot read \(file ?? "standard input"): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        guard data.count <= maxBytes else {
            printToStandardError("\(command): \(file ?? "standard input") is larger than 4 GiB; split it first")
            throw ExitCode(2)
        }
        return Array(data)
    }
}
