package dev.meshpipe.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One delivery's retries, give-up and address check, against a loopback receiver that always answers 500. */
class CallbackDeliveryTest {
    private final List<String> keys = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final ScheduledExecutorService workers = Executors.newScheduledThreadPool(2);
    private HttpServer receiver;

    @BeforeEach
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", x -> {
            keys.add(x.getRequestHeaders().getFirst("Idempotency-Key"));
            x.getRequestBody().readAllBytes();
            x.sendResponseHeaders(500, -1);
            x.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
        workers.shutdownNow();
    }

    private JobStatus cancelled() {
        return JobStatus.initial(JobEvent.of("j1", JobState.CANCELLED, 100, "cancelled")
                .withCallbackUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
    }

    private void await(CallbackDelivery d) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (!d.finished() && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        assertTrue(d.finished());
    }

    @Test
    void aReceiverThatNeverAcceptsIsGivenUpAfterTheConfiguredAttempts() throws Exception {
        CallbackOptions o = CallbackOptions.defaults().withAllowPrivate(true).withRetries(3, Duration.ofMillis(50), Duration.ofSeconds(2));
        CallbackDelivery d = new CallbackDelivery(cancelled(), new CallbackDelivery.Sender(o, metrics, workers));
        d.start();
        await(d);
        assertEquals(List.of("j1:CANCELLED", "j1:CANCELLED", "j1:CANCELLED"), keys);
        assertEquals(1.0, metrics.get("meshpipe.gateway.callbacks").tag("outcome", "given_up").counter().count());
        assertEquals(3.0, metrics.get("meshpipe.gateway.callback.attempts").tag("result", "failed").counter().count());
    }

    @Test
    void aPrivateAddressIsNeverCalledUnlessAllowed() throws Exception {
        CallbackDelivery d = new CallbackDelivery(cancelled(), new CallbackDelivery.Sender(CallbackOptions.defaults(), metrics, workers));
        d.start();
        await(d);
        assertEquals(List.of(), keys);
        assertEquals(1.0, metrics.get("meshpipe.gateway.callbacks").tag("outcome", "refused").counter().count());
        assertNull(metrics.find("meshpipe.gateway.callback.attempts").counter());
    }
}
