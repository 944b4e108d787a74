/// The config `auditsieve serve` runs without `--config`: a string literal, so the binary needs no
/// file beside it.
public enum DefaultConfig {
    public static let yaml = """
        # auditsieve embedded default: listen on loopback, keep everything, JSON lines to stdout.
        listeners:
          - protocol: tcp
            address: 127.0.0.1:5514
            framing: auto
            max_message_bytes: 256KiB
            oversize: truncate
          - protocol: udp
            address: 127.0.0.1:5514
        default_cluster:
          sinks: [stdout]
        sinks:
          stdout:
            type: stdout
            encoding: json
            flush_interval_ms: 200
        """
}
