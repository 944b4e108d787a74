/// The connection of a `SyslogSink` to its receiver: `SyslogLink.StateMachine` decides, the sink
/// performs (opens `SyslogConnection`s, writes, closes, schedules probes, records metrics).
///
/// One delivery or background probe runs at a time; each is a chain of events and actions:
///
///     state       event                               next         action
///     idle        startDelivery before the retry time idle         fail (backing_off, the time left)
///     idle        startDelivery, probeFired           connecting   connect
///     connecting  connected, TLS not yet accepted     proving      proveAcceptance
///     connecting  connected; proving accepted         writing      write            (a delivery)
///                                                     open         probe in 1 s     (a probe)
///     connecting  connectFailed; proving refused      idle         fail, or probe after the backoff
///     open        startDelivery                       writing      write
///     open        startDelivery, the peer had left    connecting   connect at once
///     open        probeFired, 1 s old                 open         up
///     open        probeFired, the peer had left       connecting   connect, or (less than 1 s
///                                                     idle         after it was made) probe after the backoff
///     writing     written                             open         delivered; backoff reset
///     writing     peer gone, connection not new       connecting   connect at once
///     writing     write failed or timed out           idle         fail after the backoff
///     any         close                               closed       close the connection
///
/// Events that arrive on their own: `connectionEnded` (the event loop saw the peer leave; a
/// kept-connected sink probes 100 ms later), `keepConnected`, `close`. After `close` every event
/// ends its operation as `closed`.
enum SyslogLink {}
