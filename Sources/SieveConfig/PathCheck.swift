#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether the paths a config names can be used by the user running the check: a directory that
/// must exist or be created (the spool), a file that is appended to (a file sink), a file that is
/// read (the tail token). `check-config` reports a problem with the config line instead of `serve`
/// failing at start. It checks as the user who runs it: run it as the daemon's user.
enum PathCheck {
    /// Why `path` cannot be (created as) a writable directory; nil when it can.
    static func directoryProblem(_ path: String) -> String? {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else { return "\(path) exists and is not a directory" }
            return access(path, W_OK | X_OK) == 0 ? nil : "\(path) is not writable by this user (uid \(geteuid()))"
        }
        guard let (ancestor, isDirectory) = nearestExisting(path) else { return nil }
        guard isDirectory else { return "\(ancestor) is not a directory, so \(path) cannot be created" }
        return access(ancestor, W_OK | X_OK) == 0
            ? nil : "\(path) cannot be created: \(ancestor) is not writable by this user (uid \(geteuid()))"
    }

    /// Why a file sink could not append to `path`; nil when it can.
    static func appendableFileProblem(_ path: String) -> String? {
        var info = stat()
        if lstat(path, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFLNK {
                return "\(path) is a symbolic link; sinks do not follow links: name the file itself"
            }
            if (info.st_mode & S_IFMT) == S_IFDIR { return "\(path) is a directory" }
            return access(path, W_OK) == 0 ? nil : "\(path) is not writable by this user (uid \(geteuid()))"
        }
        return directoryProblem(parent(of: path))
    }

    /// Why `path` cannot be read; nil when it can.
    static func readableFileProblem(_ path: String) -> String? {
        access(path, R_OK) == 0 ? nil : "\(path) cannot be read: \(String(cString: strerror(errno)))"
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The closest ancestor of `path` that exists, and whether it is a directory.
    private static func nearestExisting(_ path: String) -> (String, Bool)? {
        var current = path
        while true {
            let up = parent(of: current)
            var info = stat()
            if stat(up, &info) == 0 { return (up, (info.st_mode & S_IFMT) == S_IFDIR) }
            if up == current || up == "/" || up == "." { return nil }
            current = up
        }
    }
}

extension AuditSieveConfig {
    /// Problems with the files and directories this config names, as the current user sees them
    /// (see `PathCheck`). `pathProblems()` (SievePipeline) adds the TLS files, loaded as `serve` does.
    public func fileProblems() -> [ConfigError] {
        var problems: [ConfigError] = []
        if let directory = spool.directory, let problem = PathCheck.directoryProblem(directory) {
            problems.append(ConfigError(file: source, line: spool.line, message: "spool: directory: \(problem)"))
        }
        for sink in sinks where sink.kind == .file {
            if let path = sink.path, let problem = PathCheck.appendableFileProblem(path) {
                problems.append(
                    ConfigError(file: source, line: sink.line, message: "sink '\(sink.name)': path: \(problem)"))
            }
        }
        if let token = http.metricsTokenFile, let problem = PathCheck.readableFileProblem(token) {
            problems.append(ConfigError(file: source, line: http.line, message: "http: metrics_token_file: \(problem)"))
        }
        if let token = http.tailTokenFile, let problem = PathCheck.readableFileProblem(token) {
            problems.append(ConfigError(file: source, line: http.line, message: "http: tail_token_file: \(problem)"))
        }
        return problems
    }
}
