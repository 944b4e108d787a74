import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A process the test started, with stdout and stderr going to files (never pipes: a chatty child
/// must not block on a full pipe). `stop()` is synchronous so it can run in `defer`.
///
/// Started with posix_spawn and a clean signal state (empty mask, default dispositions), as a shell
/// would start it: the test runner blocks SIGTERM in its threads, and a child inheriting that mask
/// (as with Foundation's Process) ignores SIGTERM, which would hide or fake shutdown behaviour.
final class ChildProcess: @unchecked Sendable {
    let name: String
    let executable: String
    let stdoutPath: String
    let stderrPath: String
    let pid: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    init(_ executable: URL, _ arguments: [String], name: String, in directory: TemporaryDirectory) throws {
        self.name = name
        self.executable = executable.path
        stdoutPath = directory.path("\(name).stdout")
        stderrPath = directory.path("\(name).stderr")
        pid = try Self.spawn(
            executable.path, arguments, stdout: stdoutPath, stderr: stderrPath
        )
    }

    /// Exit code, or 128 + signal number when a signal ended it; nil while it runs.
    var terminationStatus: Int32? {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus == nil {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            }
        }
        return exitStatus
    }

    var isRunning: Bool { terminationStatus == nil }
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits up to `timeout` for the process to exit; its status, or nil if it still runs.
    func waitForExit(timeout: Duration) async -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while isRunning && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return terminationStatus
    }

    /// SIGTERM, up to 10 s for it to exit, then SIGKILL. Safe to call more than once.
    func stop() {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while isRunning && Date() < deadline { usleep(10_000) }
        if isRunning {
            kill(pid, SIGKILL)
            while isRunning { usleep(10_000) }
        }
    }

    /// The last lines of stderr, for failure messages.
    func stderrTail(_ lines: Int = 30) -> String {
        let text = stderr.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
        return "--- \(name) stderr (last \(lines) lines) ---\n\(text)"
    }

    private static func spawn(
        _ path: String, _ arguments: [String], stdout: String, stderr: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else of the test process (its listening sockets above all) leaks into the child:
        // a child holding a test collector's listener would accept connections for it while it is "down".
        // (glibc ≥ 2.34 has posix_spawn_file_actions_addclosefrom_np; Swift's Glibc module does not
        // export it, so it is looked up at run time.)
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
            throw TestFailure("glibc without posix_spawn_file_actions_addclosefrom_np (needs 2.34+)")
        }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in Int32(1)..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw TestFailure("cannot start \(path): \(String(cString: strerror(result)))")
        }
        return pid
    }
}

/// Runs a short-lived command to completion; throws if it does not finish within `timeout`.
@discardableResult
func runToCompletion(
    _ executable: URL, _ arguments: [String], in directory: TemporaryDirectory, name: String,
    timeout: Duration = .seconds(30)
) async throws -> (status: Int32, stdout: String, stderr: String) {
    let child = try ChildProcess(executable, arguments, name: name, in: directory)
    defer { child.stop() }
    guard let status = await child.waitForExit(timeout: timeout) else {
        throw TestFailure(
            "\(executable.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(timeout)")
    }
    return (status, child.stdout, child.stderr)
}
