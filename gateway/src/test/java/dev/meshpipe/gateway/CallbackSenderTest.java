package dev.meshpipe.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.sun.net.httpserver.HttpServer;
import dev.meshpipe.common.MeshpipeConfig;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobStatus;
import dev.meshpipe.testsupport.TestCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** At least once: a sender that stops before its callback is delivered leaves the offset, and the next one sends it again. */
class CallbackSenderTest {
    @TempDir
    Path dir;

    @Test
    void aCallbackNotYetDeliveredWhenTheSenderStopsIsSentByTheNextOne() throws Exception {
        BlockingQueue<String> keys = new LinkedBlockingQueue<>();
        int[] status = {500};
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", x -> {
            x.getRequestBody().readAllBytes();
            keys.add(x.getRequestHeaders().getFirst("Idempotency-Key"));
            x.sendResponseHeaders(status[0], -1);
            x.close();
        });
        receiver.start();
        CallbackOptions options = CallbackOptions.defaults().withAllowPrivate(true)
                .withRetries(100, Duration.ofMillis(500), Duration.ofSeconds(5));
        try (TestCluster cluster = new TestCluster(1)) {
            MeshpipeConfig config = cluster.config(dir, "cbs", 1);
            JobStatus done = JobStatus.initial(JobEvent.of("job-9", JobState.SUCCEEDED, 100, "done")
                    .withCallbackUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
            cluster.produce(Topics.CALLBACKS, "job-9", done);
            try (CallbackSender first = new CallbackSender(config, options, new SimpleMeterRegistry())) {
                first.start();
                assertEquals("job-9:SUCCEEDED", keys.poll(60, TimeUnit.SECONDS));
            }
            status[0] = 204;
            keys.clear();
            try (CallbackSender second = new CallbackSender(config, options, new SimpleMeterRegistry())) {
                second.start();
                assertEquals("job-9:SUCCEEDED", keys.poll(60, TimeUnit.SECONDS), "sent again by the next sender");
                Thread.sleep(1500); // its commit
            }
            keys.clear();
            try (CallbackSender third = new CallbackSender(config, options, new SimpleMeterRegistry())) {
                third.start();
                assertNull(keys.poll(5, TimeUnit.SECONDS), "delivered and committed: not sent again");
            }
        } finally {
            receiver.stop(0);
        }
    }
}
