package dev.meshpipe.testsupport;

import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.store.FileObjectStore;
import dev.meshpipe.common.store.ObjectStore;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A running pipeline on a one-broker {@link TestCluster} with a filesystem store, started once per
 * test class and closed after it:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PipelineExtension<GatewayClient> pipeline = PipelineExtension.start("it", starter, GatewayClient::new);
 * }</pre>
 *
 * The services come from the caller's {@link Starter}: the in-JVM pipeline lives in
 * {@code standalone}, which depends on every service, and test-support must not, so that each
 * service's own tests can use it.
 *
 * @param <C> the client of the gateway the tests use
 */
public final class PipelineExtension<C> implements BeforeAllCallback, AfterAllCallback {
    /** Starts the services on a configuration and a store, and waits until the gateway answers. */
    @FunctionalInterface
    public interface Starter {
        Running start(MeshpipeConfig config, ObjectStore store) throws Exception;
    }

    /** What the starter started: closed after the class, and the port its gateway listens on. */
    public record Running(AutoCloseable services, int gatewayPort) {}

    private final String name;
    private final int partitions;
    private final Starter starter;
    private final Function<String, C> clientFor;
    private final HttpClient http = HttpClient.newHttpClient();
    private Path dir;
    private TestCluster cluster;
    private MeshpipeConfig config;
    private ObjectStore store;
    private Running running;
    private String base;
    private C client;

    private PipelineExtension(String name, int partitions, Starter starter, Function<String, C> clientFor) {
        this.name = name;
        this.partitions = partitions;
        this.starter = starter;
        this.clientFor = clientFor;
    }

    /**
     * @param name      names the temporary directory and the instance (its groups and state)
     * @param starter   starts the services
     * @param clientFor the tests' client of the gateway, given its base URL
     */
    public static <C> PipelineExtension<C> start(String name, Starter starter, Function<String, C> clientFor) {
        return start(name, 3, starter, clientFor);
    }

    /** @param partitions of every topic: fewer makes each instance's share of the keys larger */
    public static <C> PipelineExtension<C> start(String name, int partitions, Starter starter, Function<String, C> clientFor) {
        return new PipelineExtension<>(name, partitions, starter, clientFor);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("meshpipe-" + name + "-test");
        cluster = new TestCluster(1);
        config = cluster.config(dir, name, partitions);
        store = new FileObjectStore(dir.resolve("objects"));
        running = starter.start(config, store);
        base = "http://localhost:" + running.gatewayPort();
        client = clientFor.apply(base);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (running != null) {
                running.services().close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A temporary directory of this class, deleted after it; the store's files are under {@code objects}. */
    public Path dir() {
        return dir;
    }

    public TestCluster cluster() {
        return cluster;
    }

    public MeshpipeConfig config() {
        return config;
    }

    public ObjectStore store() {
        return store;
    }

    /** The gateway's base URL, {@code http://localhost:PORT}. */
    public String base() {
        return base;
    }

    public C client() {
        return client;
    }

    /** A plain HTTP client, for what the gateway client does not do (headers, raw bodies, problems). */
    public HttpClient http() {
        return http;
    }
}
