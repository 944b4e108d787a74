import Testing

/// End-to-end tests: the built `auditsieve` binary (AUDITSIEVE_BINARY, else .build/debug) driven as
/// a process, with real rsyslogd and logger as senders. Serialized: each test starts processes and
/// the machine may have two cores only. Every port is 127.0.0.1:0, every file in a temporary
/// directory, every process stopped in `defer`.
@Suite("end to end", .serialized)
struct EndToEnd {}
