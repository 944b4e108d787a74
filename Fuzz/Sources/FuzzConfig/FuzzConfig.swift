import FuzzSupport
import SieveConfig

/// The input is a config file. Reading it must end in a config or in errors, each naming a line of
/// the file (`check-config` prints them as FILE:LINE for an editor to jump to).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzInput(data, size), as: UTF8.self)
    do {
        _ = try AuditSieveConfig.parse(yaml: text, file: "fuzz.yml")
    } catch let errors as ConfigErrors {
        // libyaml puts the end of the stream on the line after a last line without a line break, and
        // reports an error found there on that line: one past the file's last.
        let lines = yamlLineCount(text) + 1
        fuzzCheck(!errors.errors.isEmpty, "a config refused without an error")
        for error in errors.errors {
            fuzzCheck(error.file == "fuzz.yml", "an error names another file: \(error)")
            fuzzCheck(error.line >= 1 && error.line <= lines, "an error names line \(error.line) of \(lines): \(error)")
        }
    } catch {
        fatalError("the config reader threw \(error), which is not ConfigErrors")
    }
    return 0
}

/// Lines as libyaml (and so every error's line) counts them: LF, CR, CRLF, NEL, LS and PS each end one.
func yamlLineCount(_ text: String) -> Int {
    var count = 1
    var afterCR = false
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n" where afterCR: break
        case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}": count += 1
        default: break
        }
        afterCR = scalar == "\r"
    }
    return count
}
