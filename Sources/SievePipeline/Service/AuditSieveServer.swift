import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Prometheus
import ServiceLifecycle
import SieveConfig
import SieveDelivery
import SieveHTTPRouting
import SieveSinks
import UnixSignals

/// The daemon: sinks, routing and listeners built from a config, and the HTTP endpoint. `start`
/// binds the endpoint and every listener (so errors surface before anything runs); `run` serves
/// until SIGTERM/SIGINT; `reload` swaps in a new config's clusters and sinks without touching a
/// connection.
public final class AuditSieveServer: Sendable {
    public let ingest: IngestContext
    public let listeners: [any SyslogListener]
    private let sinkRegistry: SinkRegistry
    private let queueRegistry: QueueRegistry
    private let maintenance: MaintenanceTimer
    private let state: NIOLockedValueBox<AuditSieveConfig>
    private let configPath: String?
    private let logger: Logger
    private let metricsFactory: any MetricsFactory
    private let metricsRegistry: PrometheusCollectorRegistry?
    private let group: any EventLoopGroup
    private let http = NIOLockedValueBox<HTTPEndpoint?>(nil)
    /// Set once every listener is bound: `/readyz` answers 200 from then on.
    private let boundListeners = NIOLockedValueBox<[ReadinessReport.Listener]?>(nil)
    /// Unfinished TCP frames of every connection together (`limits.buffered_bytes`).
    let frameBudget: FrameBufferBudget

    /// `configPath` is the file SIGHUP re-reads (`nil`: the embedded default, SIGHUP only reopens sinks).
    /// With a `metricsRegistry` (the one behind `metricsFactory`) the `http:` endpoint is served and
    /// its `/metrics` shows that registry; without (tests, embedding) there is no HTTP endpoint.
    public init(
        config: AuditSieveConfig, configPath: String? = nil, logger: Logger,
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        metricsRegistry: PrometheusCollectorRegistry? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        self.state = NIOLockedValueBox(config)
        self.configPath = configPath
        self.logger = logger
        self.metricsFactory = metricsFactory
        self.metricsRegistry = metricsRegistry
        self.group = group
        self.sinkRegistry = SinkRegistry(logger: logger, metricsFactory: metricsFactory, group: group)
        self.queueRegistry = QueueRegistry(logger: logger, metricsFactory: metricsFactory)
        let sinks = try sinkRegistry.prepare(config).sinks
        let queues = try queueRegistry.prepare(config, sinks: sinks)
        let ingest = IngestContext(
            table: try RoutingTable(config: config, queues: queues, metricsFactory: metricsFactory),
            metrics: PipelineMetrics(factory: metricsFactory),
            sources: SourceTracker(factory: metricsFactory, limits: config.limits, logger: logger), logger: logger,
            tail: TailHub(factory: metricsFactory), tableRecordLimits: config.limits.tableRecordLimits,
            heldTableRecordBytesLimit: config.limits.tableRecordsHeldBytes
        )
        self.ingest = ingest
        let queueRegistry = self.queueRegistry
        let udpListeners = NIOLockedValueBox<[UDPSyslogListener]>([])
        let budget = FrameBufferBudget(limit: config.limits.bufferedBytes, logger: logger)
        self.frameBudget = budget
        let trim = MemoryTrim()
        self.maintenance = MaintenanceTimer { [ingest] in
            queueRegistry.refreshAges()
            ingest.sources.settle()
            for listener in udpListeners.withLockedValue({ $0 }) { listener.refreshKernelStatistics() }
            trim.note(bufferedBytes: budget.totalBytes)
        }
        var listeners: [any SyslogListener] = []
        for listener in config.listeners {
            switch listener.transport {
            case .tcp, .relp:
                listeners.append(
                    try TCPSyslogListener(
                        config: listener, ingest: ingest, logger: logger, metricsFactory: metricsFactory, budget: budget
                    ))
            case .udp:
                listeners.append(
                    UDPSyslogListener(config: listener, ingest: ingest, logger: logger, metricsFactory: metricsFactory))
            }
        }
        self.listeners = listeners
        udpListeners.withLockedValue { $0 = self.listeners.compactMap { $0 as? UDPSyslogListener } }
    }

    public var config: AuditSieveConfig { state.withLockedValue { $0 } }

    /// Binds the HTTP endpoint (if served: `/readyz` says 503 until the listeners are bound), then
    /// every listener, and logs each bound address; returns the listeners' in config order.
    public func start() async throws -> [SocketAddress] {
        DescriptorLimit.prepare(for: config, logger: logger)
        try await startHTTP()
        var bound: [SocketAddress] = []
        for listener in listeners {
            do {
                let address = try await listener.bind(on: group)
                bound.append(address)
                logger.info(
                    "listening",
                    metadata: ["listener": "\(listener.config.name)", "bound": "\(PeerName.of(address))"]
                )
            } catch {
                for started in listeners { await started.stop() }
                await http.withLockedValue { $0 }?.stop()
                throw ListenerBindError(listener: listener.config, underlying: error)
            }
        }
        boundListeners.withLockedValue { boundListeners in
            boundListeners = zip(listeners, bound).map {
                ReadinessReport.Listener(listener: $0.config.name, address: PeerName.of($1))
            }
        }
        return bound
    }

    /// Where the HTTP endpoint listens; `nil` when it is not served or not started.
    public var httpAddress: SocketAddress? { httpBoundAddress.withLockedValue { $0 } }
    private let httpBoundAddress = NIOLockedValueBox<SocketAddress?>(nil)

    private func startHTTP() async throws {
        guard let metricsRegistry else { return }
        let settings = config.http
        var token: String?
        if let path = settings.tailTokenFile { token = try HTTPEndpoint.readToken(settings, path: path) }
        var metricsToken: String?
        if let path = settings.metricsTokenFile { metricsToken = try HTTPEndpoint.readToken(settings, path: path) }
        var tlsContext: NIOSSLContext?
        if let tls = settings.tls {
            do {
                tlsContext = try ListenerTLSContext.make(tls, listener: settings.name)
            } catch {
                throw HTTPStartError(config: settings, reason: .tls(error))
            }
        }
        let responder = HTTPResponder(
            router: HTTPRequestRouter(tailToken: token, metricsToken: metricsToken), registry: metricsRegistry,
            readiness: { [weak self] in
                self?.readiness ?? ReadinessReport(ready: false, listeners: [], spoolRecovered: false, sinks: [])
            },
            tail: ingest.tail, tailBufferBytes: settings.tailBufferBytes,
            appendMetrics: { [ingest] in ingest.sources.appendPrometheus(into: &$0) },
            metrics: HTTPMetrics(factory: metricsFactory)
        )
        let endpoint = HTTPEndpoint(config: settings, responder: responder, logger: logger, tlsContext: tlsContext)
        let address: SocketAddress
        do {
            address = try await endpoint.bind(on: group)
        } catch {
            throw HTTPStartError(config: settings, reason: .bind(error))
        }
        http.withLockedValue { $0 = endpoint }
        httpBoundAddress.withLockedValue { $0 = address }
        logger.info(
            "http endpoint bound",
            metadata: [
                "http": "\(settings.name)", "bound": "\(PeerName.of(address))",
                "tail": "\(token == nil ? "off" : "on")",
            ]
        )
    }

    private var readiness: ReadinessReport {
        let bound = boundListeners.withLockedValue { $0 }
        return ReadinessReport(
            ready: bound != nil, listeners: bound ?? [], spoolRecovered: true, sinks: config.sinks.map(\.name)
        )
    }

    /// Puts a new config's clusters, rules, queues and sinks in force atomically. Unchanged sinks
    /// stay open and kept queues keep their events; removed queues deliver what they hold, then
    /// close (and so do removed sinks once no queue uses them). Listeners are not rebound: a
    /// listener change is logged and waits for a restart. On a config error nothing changes.
    public func reload(_ new: AuditSieveConfig) async throws {
        let old = config
        _ = try RoutingTable(config: new, metricsFactory: metricsFactory)  // rules compile before anything changes
        // Opening sinks and spools (files, a spool's recovery scan) blocks: off the cooperative pool.
        let (sinks, retired) = try await Self.blocking { [sinkRegistry] in try sinkRegistry.prepare(new) }
        await queueRegistry.awaitDrained(wantedBy: new)
        let queues = try await Self.blocking { [queueRegistry] in try queueRegistry.prepare(new, sinks: sinks) }
        let table = try RoutingTable(config: new, queues: queues, metricsFactory: metricsFactory)
        let replaced = ingest.swap(table)
        state.withLockedValue { $0 = new }
        // Queues the new config dropped stop taking events only once no batch of the old table
        // can still hand them some (a batch lasts one read burst).
        if !(await ingest.waitUntilReleased(replaced)) {
            logger.warning("a batch still held the old routing table after 5 s; retiring its queues anyway")
        }
        queueRegistry.retirePending()
        if new.listeners.count != old.listeners.count
            || !zip(new.listeners, old.listeners).allSatisfy({ $0.hasSameSettings(as: $1) })
        {
            logger.warning("listener changes in the new config take effect at the next restart")
        }
        if !new.http.hasSameSettings(as: old.http) {
            logger.warning("http changes in the new config take effect at the next restart")
        }
        if !new.limits.hasSameSettings(as: old.limits) {
            logger.warning("limits changes in the new config take effect at the next restart")
        }
        logger.info(
            "config reloaded",
            metadata: ["clusters": "\(new.clusters.count + 1)", "sinks": "\(sinks.count)", "source": "\(new.source)"]
        )
        // A delivery already under way on a replaced sink finishes on it: each retired sink
        // closes once no worker delivers to it any more.
        if !retired.isEmpty { queueRegistry.close(retired: retired) }
    }

    /// SIGHUP: reopens sink files (logrotate) and, when serving a config file, re-reads it. An
    /// invalid file is refused with a log line naming its errors; the running config stays.
    public func handleHangup() async {
        let sinks = sinkRegistry.all
        try? await Self.blocking { for sink in sinks { sink.reopen() } }
        // Certificate rotation: the listeners' TLS files are read again; new connections get them.
        for case let listener as TCPSyslogListener in listeners where listener.config.tls != nil {
            let error = try? await Self.blocking { listener.reloadTLS(listener.config.tls) }
            if let error = error ?? nil {
                logger.error(
                    "TLS files not reloaded; the listener keeps its current certificate",
                    metadata: ["error": "\(error)"])
            } else {
                logger.info("TLS files reloaded", metadata: ["listener": "\(listener.config.name)"])
            }
        }
        guard let configPath else { return }
        do {
            try await reload(Self.blocking { try AuditSieveConfig.load(file: configPath) })
        } catch let errors as ConfigErrors {
            logger.error("config reload refused; the running config stays", metadata: ["errors": "\(errors)"])
        } catch {
            logger.error("config reload refused; the running config stays", metadata: ["error": "\(error)"])
        }
    }

    /// Runs file work (opening sinks and spools, reading config and TLS files) on NIO's blocking
    /// thread pool, so SIGHUP's handling never blocks a thread of the cooperative pool.
    private static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    /// Serves until SIGTERM or SIGINT; then stops the listeners, flushes the sinks and returns
    /// (within 10 s, whatever the sinks do).
    public func run() async throws {
        // The HTTP endpoint comes first, so it stops last: scrapes keep working while the queues drain.
        let httpServices =
            http.withLockedValue { $0 }.map {
                [ServiceGroupConfiguration.ServiceConfiguration(service: HTTPService(endpoint: $0, logger: logger))]
            } ?? []
        var configuration = ServiceGroupConfiguration(
            services: httpServices + [
                .init(service: SinkService(server: self, logger: logger)),
                .init(service: ListenerService(listeners: listeners, logger: logger)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = .seconds(8)
        configuration.maximumCancellationDuration = .seconds(1)
        try await ServiceGroup(configuration: configuration).run()
    }

    /// Stops without signals (tests, embedding): listeners first, then delivery.
    public func shutdown() async {
        for listener in listeners { await listener.stop() }
        await stopDelivery()
        await http.withLockedValue { $0 }?.stop()
    }

    /// After the listeners stopped: queues deliver while their sinks take events (up to 5 s; a
    /// queue that could not save what it holds, memory-only or on a full disk, up to 6.5 s),
    /// then what is left goes to the spools (or, when none can take it, is counted as dropped),
    /// the spools are fsynced and closed, and so are the sinks. Suspends without blocking a
    /// thread; the saving and fsyncs run on a thread of their own.
    func stopDelivery() async {
        maintenance.cancel()
        await queueRegistry.shutdown(deliverFor: .seconds(5), orUpTo: .milliseconds(6500), sinks: sinkRegistry.all)
    }

    /// How many events wait in all queues (tests, `spool` tooling).
    public var queuedEvents: Int { queueRegistry.allQueues.reduce(0) { $0 + $1.queuedEvents } }
}

/// A listener could not bind; names the listener, its config line and the OS's reason.
public struct ListenerBindError: Error, CustomStringConvertible {
    public var listener: ListenerConfig
    public var underlying: any Error

    public var description: String {
        "cannot listen on \(listener.name) (config line \(listener.line)): \(underlying)"
    }
}
