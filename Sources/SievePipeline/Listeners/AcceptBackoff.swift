import Logging
import Metrics
import NIOCore

/// NIO's `AcceptBackoffHandler` for a server socket, with the failure counted and logged: when
/// accept(2) fails (EMFILE when the process is out of file descriptors, ENFILE, ENOBUFS) the
/// socket stops accepting for a while instead of failing in a busy loop, and the operator hears
/// about it. Every listener and the HTTP endpoint install one.
enum AcceptBackoff {
    static let pause = TimeAmount.milliseconds(250)

    static func handler(name: String, errors: Counter, warning: RateLimitedLog) -> AcceptBackoffHandler {
        AcceptBackoffHandler(shouldForwardIOErrorCaught: false) { error in
            errors.increment()
            warning.warning(
                "accept failed; not accepting for \(pause.nanoseconds / 1_000_000) ms",
                metadata: ["listener": "\(name)", "error": "\(error)"]
            )
            return pause
        }
    }
}
