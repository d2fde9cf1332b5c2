package dev.meshpipe.gateway;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.kafka.EventPublisher;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.mesh.VolumeLimits;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway service: the HTTP front door. Statuses come from a Kafka Streams store folded from
 * the events topic and shared by every instance (each owns some partitions and forwards the
 * rest); uploads stream into the object store and are published like any submission.
 */
public final class GatewayService implements AutoCloseable {
    public static final String APPLICATION_ID = StatusStreams.APPLICATION_ID;
    private static final Logger log = LoggerFactory.getLogger(GatewayService.class);

    private final MeshpipeConfig config;
    private final GatewayOptions options;
    private final ObjectStore store;
    private final EventPublisher producer;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Auth auth;
    private final Javalin app;
    private StatusStore statuses;
    private volatile KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;
    private CallbackSender callbacks;

    /** {@code options} from {@link GatewayOptions#fromEnv} in a deployment; the caller reads the environment. */
    public GatewayService(MeshpipeConfig config, GatewayOptions options, ObjectStore store) {
        this.config = config;
        this.options = options;
        this.store = store;
        this.producer = new EventPublisher(config.bootstrapServers(), "meshpipe-gateway-" + config.instanceId(), 0);
        this.auth = new Auth(options.tokens(), options.linkSecret());
        RequestMetrics requests = new RequestMetrics(metrics);
        this.app = GatewayHttp.create(options.limits().idleTimeout(), c -> c.requestLogger.http(requests::record));
    }

    public void start() {
        // HTTP first: the port it gets is what other instances are told to call.
        app.start(config.httpPort());
        HostInfo self = new HostInfo(options.advertisedHost(), app.port());
        StatusCache cache = new StatusCache();
        statuses = new StatusStore(self, auth::internalSignature, cache);
        VolumeLimits limits = config.volumeLimits();
        GatewayHttp.jobRoutes(app, new RouteContext(store, statuses, JobPublisher.kafka(producer), auth,
                config.maxUploadBytes(), limits, options.limits(), options.linkLifetime(), options.callbacks().allowPrivate()));
        new InternalRoutes(statuses, auth).register(app);
        operationRoutes();
        streams = StatusStreams.start(config, options, self, cache, statuses);
        callbacks = new CallbackSender(config, options.callbacks(), metrics);
        callbacks.start();
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(metrics);
        Gauge.builder("meshpipe.gateway.status.store.running", () -> streams.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 while the status store answers queries").register(metrics);
        log.info("gateway listening on http://{}:{}{}", self.host(), self.port(), auth.enabled() ? " (bearer tokens required)" : "");
    }

    /** Health, metrics and the API description: for operators and tools, without tokens. */
    private void operationRoutes() {
        GatewayHttp.route(app, "/health/live", Map.of(HandlerType.GET, ctx -> ctx.json(Map.of("status", "UP"))));
        GatewayHttp.route(app, "/health/ready", Map.of(HandlerType.GET, ctx -> {
            boolean ready = statuses.ready();
            KafkaStreams s = streams;
            ctx.status(ready ? 200 : 503).json(Map.of("status", ready ? "UP" : "DOWN",
                    "streams", s == null ? "NOT_STARTED" : s.state().name()));
        }));
        GatewayHttp.route(app, "/metrics", Map.of(HandlerType.GET,
                ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape())));
        GatewayHttp.route(app, "/openapi.json", Map.of(HandlerType.GET, ctx -> {
            try (InputStream in = GatewayService.class.getResourceAsStream("/openapi.json")) {
                ctx.contentType("application/json").result(in.readAllBytes());
            }
        }));
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
        if (callbacks != null) {
            callbacks.close();
        }
        if (streamsMetrics != null) {
            streamsMetrics.close();
        }
        producer.close();
    }
}
