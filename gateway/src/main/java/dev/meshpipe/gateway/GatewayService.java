package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.kafka.EventPublisher;
import dev.meshpipe.common.store.ObjectStore;
import dev.meshpipe.mesh.VolumeLimits;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway service: the HTTP front door. Statuses come from a Kafka Streams store folded from
 * the events topic; uploads stream into the object store and are published like any submission.
 */
public final class GatewayService implements AutoCloseable {
    public static final String APPLICATION_ID = "meshpipe-gateway";
    private static final Logger log = LoggerFactory.getLogger(GatewayService.class);

    private final MeshpipeConfig config;
    private final KafkaStreams streams;
    private final EventPublisher producer;
    private final Javalin app;

    public GatewayService(MeshpipeConfig config, ObjectStore store) {
        this.config = config;
        this.streams = new KafkaStreams(StatusTopology.build(), properties(config));
        this.producer = new EventPublisher(config.bootstrapServers(), "meshpipe-gateway-" + config.instanceId());
        StatusStore statuses = new StatusStore(streams);
        VolumeLimits limits = new VolumeLimits(config.maxVoxels(), VolumeLimits.DEFAULT_MAX_DECOMPRESSED);
        JobRoutes jobs = new JobRoutes(store, producer, statuses, config.maxUploadBytes(), limits);
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            c.http.disableCompression();
        });
        app.post("/jobs", jobs::submit);
        app.get("/jobs/{id}", jobs::status);
        app.get("/jobs/{id}/download", ctx -> jobs.download(ctx, false));
        app.head("/jobs/{id}/download", ctx -> jobs.download(ctx, true));
        app.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
        app.get("/health/ready", ctx -> {
            boolean ready = statuses.ready();
            ctx.status(ready ? 200 : 503).json(Map.of("status", ready ? "UP" : "DOWN", "streams", streams.state().name()));
        });
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
            if (ctx.result() == null || !Problem.MEDIA_TYPE.equals(ctx.res().getContentType())) {
                problem(ctx, Problem.of(ErrorCode.NOT_FOUND, "no route " + ctx.method() + " " + ctx.path(), ctx.path()), 404, null);
            }
        });
        app.error(405, ctx -> problem(ctx, Problem.of(ErrorCode.METHOD_NOT_ALLOWED, ctx.method() + " is not allowed on " + ctx.path(), ctx.path()), 405, null));
    }

    static void problem(Context ctx, Problem p, int status, Integer retryAfter) {
        Problem body = p.instance() == null ? new Problem(p.type(), p.title(), status, p.detail(), ctx.path(), p.code(), p.extra()) : p;
        if (retryAfter != null) {
            ctx.header("Retry-After", String.valueOf(retryAfter));
        }
        ctx.status(status).contentType(Problem.MEDIA_TYPE).result(Json.bytes(body));
    }

    static Properties properties(MeshpipeConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().resolve("gateway").toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.replication());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, "localhost:" + config.httpPort());
        // Aborted transactions must never show: a SUCCEEDED that was rolled back did not happen.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        return p;
    }

    public void start() {
        streams.start();
        app.start(config.httpPort());
        log.info("gateway listening on http://localhost:{}", app.port());
    }

    public int port() {
        return app.port();
    }

    public boolean ready() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    @Override
    public void close() {
        app.stop();
        // Leave the group so a restarted instance gets its partitions at once, not after the session timeout.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(10)));
        producer.close();
    }
}
