package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JobId;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.kafka.EventPublisher;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.mesh.VolumeLimits;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway service: the HTTP front door. Statuses come from a Kafka Streams store folded from
 * the events topic and shared by every instance (each owns some partitions and forwards the
 * rest); uploads stream into the object store and are published like any submission.
 */
public final class GatewayService implements AutoCloseable {
    public static final String APPLICATION_ID = "meshpipe-gateway";
    private static final Logger log = LoggerFactory.getLogger(GatewayService.class);

    private final MeshpipeConfig config;
    private final GatewayOptions options;
    private final EventPublisher producer;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Auth auth;
    private final Javalin app;
    private StatusStore statuses;
    private volatile KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;
    private final ObjectStore store;

    public GatewayService(MeshpipeConfig config, ObjectStore store) {
        this(config, GatewayOptions.fromEnv(System.getenv()), store);
    }

    public GatewayService(MeshpipeConfig config, GatewayOptions options, ObjectStore store) {
        this.config = config;
        this.options = options;
        this.store = store;
        this.producer = new EventPublisher(config.bootstrapServers(), "meshpipe-gateway-" + config.instanceId());
        this.auth = new Auth(options.tokens(), options.linkSecret());
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.jetty.modifyServer(server -> server.setErrorHandler(new JettyProblems()));
            c.jetty.modifyServletContextHandler(h -> h.setErrorHandler(new JettyProblems()));
            // The web page (index.html, app.js, the vendored 3D viewer) at /.
            c.staticFiles.add(sf -> {
                sf.hostedPath = "/";
                sf.directory = "/web";
                sf.location = io.javalin.http.staticfiles.Location.CLASSPATH;
            });
            c.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            c.http.disableCompression();
            // How long a request may send or receive nothing; a stalled upload then gets 408 (JobRoutes).
            c.jetty.modifyHttpConfiguration(h -> h.setIdleTimeout(options.limits().idleTimeout().toMillis()));
            c.requestLogger.http((ctx, ms) -> timer(ctx.method().name(), route(ctx), ctx.statusCode())
                    .record((long) (ms * 1_000_000), TimeUnit.NANOSECONDS));
        });
    }

    private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

    /** Request timers by method, route template and status, made once each (this runs on every request). */
    private Timer timer(String method, String route, int status) {
        return timers.computeIfAbsent(method + ' ' + route + ' ' + status, k -> Timer.builder("http.server.requests")
                .tag("method", method).tag("route", route).tag("status", String.valueOf(status)).register(metrics));
    }

    /** The route template for metrics; requests refused before routing (401) have none. */
    private static String route(Context ctx) {
        try {
            String r = ctx.endpointHandlerPath();
            return r.isEmpty() ? "unmatched" : r;
        } catch (IllegalStateException beforeRouting) {
            return "unrouted";
        }
    }

    private void routes(JobRoutes jobs) {
        app.before("/jobs", auth::authenticate);
        app.before("/jobs/*", auth::authenticate);
        route("/jobs", Map.of(HandlerType.POST, jobs::submit));
        route("/jobs/{id}", Map.of(HandlerType.GET, jobs::status, HandlerType.DELETE, jobs::cancel));
        route("/jobs/{id}/download", Map.of(HandlerType.GET, ctx -> jobs.download(ctx, false), HandlerType.HEAD, ctx -> jobs.download(ctx, true)));
        route("/jobs/{id}/preview.png", Map.of(HandlerType.GET, jobs::preview));
        route("/jobs/{id}/mesh.glb", Map.of(HandlerType.GET, jobs::glb));
        route("/jobs/{id}/quality.json", Map.of(HandlerType.GET, jobs::quality));
        route("/internal/status/{id}", Map.of(HandlerType.GET, this::internalStatus));
        route("/internal/usage", Map.of(HandlerType.GET, this::internalUsage));
        route("/health/live", Map.of(HandlerType.GET, ctx -> ctx.json(Map.of("status", "UP"))));
        route("/health/ready", Map.of(HandlerType.GET, ctx -> {
            boolean ready = statuses.ready();
            ctx.status(ready ? 200 : 503).json(Map.of("status", ready ? "UP" : "DOWN",
                    "streams", streams == null ? "NOT_STARTED" : streams.state().name()));
        }));
        route("/metrics", Map.of(HandlerType.GET, ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape())));
        route("/openapi.json", Map.of(HandlerType.GET, ctx -> {
            try (InputStream in = GatewayService.class.getResourceAsStream("/openapi.json")) {
                ctx.contentType("application/json").result(in.readAllBytes());
            }
        }));
        app.exception(ProblemException.class, (e, ctx) -> problem(ctx, e.problem, e.status, e.retryAfterSeconds));
        app.exception(MeshpipeException.class, (e, ctx) -> {
            Integer retry = e.code().httpStatus() == 503 ? 5 : null;
            problem(ctx, Problem.of(e.code(), e.getMessage(), ctx.path()), e.code().httpStatus(), retry);
        });
        app.exception(Exception.class, (e, ctx) -> {
            log.error("{} {} failed", ctx.method(), ctx.path(), e);
            problem(ctx, Problem.of(ErrorCode.INTERNAL_ERROR, "an unexpected error occurred", ctx.path()), 500, null);
        });
        app.error(404, ctx -> {
            if (!Problem.MEDIA_TYPE.equals(ctx.res().getContentType())) {
                problem(ctx, Problem.of(ErrorCode.NOT_FOUND, "no route " + ctx.method() + " " + ctx.path(), ctx.path()), 404, null);
            }
        });
        app.error(405, ctx -> {
            if (!Problem.MEDIA_TYPE.equals(ctx.res().getContentType())) {
                problem(ctx, Problem.of(ErrorCode.METHOD_NOT_ALLOWED, ctx.method() + " is not allowed on " + ctx.path(), ctx.path()), 405, null);
            }
        });
    }

    /** The methods a route may be asked with; any other gets 405 naming the ones it has. */
    private static final List<HandlerType> METHODS = List.of(HandlerType.GET, HandlerType.HEAD, HandlerType.POST, HandlerType.PUT,
            HandlerType.PATCH, HandlerType.DELETE, HandlerType.OPTIONS, HandlerType.TRACE);

    /**
     * Registers a path's handlers, and for every other method an answer that says which ones it
     * has: 405 {@code METHOD_NOT_ALLOWED} with {@code Allow} (RFC 9110 section 15.5.6), or for
     * OPTIONS 204 with {@code Allow}. A path with GET answers HEAD with the same handler (Jetty
     * sends no body), so HEAD gets the status and headers GET would.
     */
    private void route(String path, Map<HandlerType, Handler> handlers) {
        Map<HandlerType, Handler> all = new java.util.EnumMap<>(handlers);
        if (all.containsKey(HandlerType.GET)) {
            all.putIfAbsent(HandlerType.HEAD, all.get(HandlerType.GET));
        }
        String allow = String.join(", ", METHODS.stream().filter(all::containsKey).map(Enum::name).toList());
        for (HandlerType method : METHODS) {
            Handler h = all.get(method);
            if (h == null && method == HandlerType.OPTIONS) {
                h = ctx -> ctx.header("Allow", allow).status(204);
            } else if (h == null) {
                h = ctx -> {
                    ctx.header("Allow", allow);
                    throw new ProblemException(Problem.of(ErrorCode.METHOD_NOT_ALLOWED,
                            ctx.method() + " is not allowed on " + ctx.path() + " (allowed: " + allow + ")", ctx.path()), null);
                };
            }
            app.addHttpHandler(method, path, h);
        }
    }

    /** What another instance asks when this one owns the job's partition. */
    private void internalStatus(Context ctx) {
        String id = ctx.pathParam("id");
        if (!JobId.isValid(id)) {
            throw new MeshpipeException(ErrorCode.INVALID_JOB_ID, "not a valid job id");
        }
        if (auth.enabled() && !auth.internalValid(id, ctx.header(StatusStore.SIGNATURE_HEADER))) {
            throw new MeshpipeException(ErrorCode.NOT_FOUND, "no route GET " + ctx.path());
        }
        int partition = statuses.partitionOf(id);
        if (partition < 0) {
            throw StatusStore.unavailable("the owner of this job's status is being decided");
        }
        var status = statuses.local(id, partition);
        if (status.isEmpty()) {
            throw new MeshpipeException(ErrorCode.JOB_NOT_FOUND, "no job " + id);
        }
        ctx.json(status.get());
    }

    /** A tenant's usage in this instance's partitions, for another instance checking a quota. */
    private void internalUsage(Context ctx) {
        String tenant = ctx.queryParam("tenant");
        if (auth.enabled() && !auth.internalValid(StatusStore.usageSubject(tenant), ctx.header(StatusStore.SIGNATURE_HEADER))) {
            throw new MeshpipeException(ErrorCode.NOT_FOUND, "no route GET " + ctx.path());
        }
        ctx.json(statuses.localUsage(tenant));
    }

    static void problem(Context ctx, Problem p, int status, Integer retryAfter) {
        Problem body = p.instance() == null ? new Problem(p.type(), p.title(), status, p.detail(), ctx.path(), p.code(), p.extra()) : p;
        if (retryAfter != null) {
            ctx.header("Retry-After", String.valueOf(retryAfter));
        }
        ctx.status(status).contentType(Problem.MEDIA_TYPE).result(Json.bytes(body));
    }

    static Properties properties(MeshpipeConfig config, GatewayOptions options, HostInfo self) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().resolve("gateway-" + self.port()).toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.replication());
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, options.standbyReplicas());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        // Aborted transactions must never show: a SUCCEEDED that was rolled back did not happen.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // A crashed instance's partitions move after 10 s instead of the default 45.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        return p;
    }

    public void start() {
        // HTTP first: the port it gets is what other instances are told to call.
        app.start(config.httpPort());
        HostInfo self = new HostInfo(options.advertisedHost(), app.port());
        StatusCache cache = new StatusCache();
        statuses = new StatusStore(self, auth::internalSignature, cache);
        VolumeLimits limits = new VolumeLimits(config.maxVoxels(), VolumeLimits.DEFAULT_MAX_DECOMPRESSED);
        routes(new JobRoutes(store, producer, statuses, auth, config.maxUploadBytes(), limits, options.linkLifetime(), options.limits()));
        StatusStore st = statuses;
        java.util.function.Supplier<KafkaStreams> factory = () -> {
            KafkaStreams s = new KafkaStreams(StatusTopology.build(options.statusRetention(), cache), properties(config, options, self));
            s.setUncaughtExceptionHandler(e -> {
                log.error("gateway stream thread failed; replacing it", e);
                return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            s.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING) {
                    st.refreshOwners();
                }
            });
            st.bind(s); // before start: the RUNNING listener reads ownership through it
            return s;
        };
        streams = factory.get();
        streams = dev.meshpipe.common.kafka.StreamsStart.wipingUnreadableState(streams, factory, "the status store's local state");
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(metrics);
        Gauge.builder("meshpipe.gateway.status.store.running", () -> streams.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 while the status store answers queries").register(metrics);
        log.info("gateway listening on http://{}:{}{}", self.host(), self.port(), auth.enabled() ? " (bearer tokens required)" : "");
    }

    public int port() {
        return app.port();
    }

    public boolean ready() {
        return statuses != null && statuses.ready();
    }

    @Override
    public void close() {
        app.stop();
        if (streams != null) {
            // Leave the group so the partitions move to the other instances at once.
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(10)));
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        producer.close();
    }
}
