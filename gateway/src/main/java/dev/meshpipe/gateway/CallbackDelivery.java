package dev.meshpipe.gateway;

import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.Version;
import dev.meshpipe.common.events.JobStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job's completion webhook: POSTs until a 2xx answer, retrying with doubling pauses, and gives
 * up after the configured attempts (a log line and {@code meshpipe.gateway.callbacks{outcome=given_up}}).
 * Every attempt carries the same body and {@code Idempotency-Key}, and a fresh signature.
 */
final class CallbackDelivery {
    private static final Logger log = LoggerFactory.getLogger(CallbackDelivery.class);

    private final JobStatus status;
    private final Sender sender;
    private int attempts;
    private volatile boolean finished;
    private volatile boolean cancelled;

    /** @param status the job's terminal status; null (an unreadable record) finishes at once */
    CallbackDelivery(JobStatus status, Sender sender) {
        this.status = status;
        this.sender = sender;
    }

    void start() {
        if (status == null || status.callbackUrl() == null) {
            finished = true;
            return;
        }
        sender.workers.execute(this::attempt);
    }

    /** Delivered, or given up: its offset may be committed. */
    boolean finished() {
        return finished;
    }

    /** Its partition moved to another instance, which sends it again: stop retrying here. */
    void cancel() {
        cancelled = true;
    }

    static String event(JobStatus s) {
        return "job." + s.state().name().toLowerCase(Locale.ROOT);
    }

    static String idempotencyKey(JobStatus s) {
        return s.id() + ":" + s.state().name();
    }

    private void attempt() {
        if (cancelled) {
            return;
        }
        String url = status.callbackUrl();
        try {
            CallbackTargets.require(url, sender.options.allowPrivate());
        } catch (MeshpipeException e) {
            log.warn("not calling back job {}: {}", status.id(), e.getMessage());
            end("refused");
            return;
        }
        attempts++;
        String outcome;
        try {
            int code = sender.post(status, attempts);
            if (code / 100 == 2) {
                sender.attempt("ok");
                log.info("called back job {} ({}) after {} attempt(s)", status.id(), event(status), attempts);
                end("delivered");
                return;
            }
            outcome = "HTTP " + code;
        } catch (IOException | IllegalArgumentException e) {
            outcome = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // the gateway is closing; the offset stays uncommitted, so it is sent again
        }
        sender.attempt("failed");
        if (attempts >= sender.options.attempts()) {
            log.warn("giving up calling back job {} ({}) at {} after {} attempts; last: {}", status.id(), event(status),
                    url, attempts, outcome);
            end("given_up");
            return;
        }
        var pause = sender.options.pauseAfter(attempts);
        log.info("callback of job {} failed ({}); attempt {} of {} in {} ms", status.id(), outcome, attempts + 1,
                sender.options.attempts(), pause.toMillis());
        if (!cancelled) {
            sender.workers.schedule(this::attempt, pause.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void end(String outcome) {
        sender.outcome(outcome);
        finished = true;
    }

    /** What every delivery shares: the options, one HTTP client, the threads and the counters. */
    static final class Sender {
        final CallbackOptions options;
        final ScheduledExecutorService workers;
        private final MeterRegistry metrics;
        private final HttpClient client;
        private volatile boolean warnedUnsigned;

        Sender(CallbackOptions options, MeterRegistry metrics, ScheduledExecutorService workers) {
            this.options = options;
            this.metrics = metrics;
            this.workers = workers;
            // Redirects are not followed: a 3xx could point past the private-address check.
            this.client = HttpClient.newBuilder().connectTimeout(options.timeout())
                    .followRedirects(HttpClient.Redirect.NEVER).build();
        }

        int post(JobStatus s, int attempt) throws IOException, InterruptedException {
            byte[] body = Json.bytes(StatusView.of(s));
            URI uri = URI.create(s.callbackUrl());
            HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                    .timeout(options.timeout())
                    // No h2c upgrade on plain http: many receivers mishandle an Upgrade header on a POST.
                    .version("https".equalsIgnoreCase(uri.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "meshpipe/" + Version.get())
                    .header("Meshpipe-Event", event(s))
                    .header("Idempotency-Key", idempotencyKey(s))
                    .header("Meshpipe-Attempt", String.valueOf(attempt))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (options.secret() != null) {
                b.header(CallbackSignature.HEADER, CallbackSignature.header(options.secret(), Instant.now().getEpochSecond(), body));
            } else if (!warnedUnsigned) {
                warnedUnsigned = true;
                log.warn("MESHPIPE_WEBHOOK_SECRET is not set: completion webhooks are sent without Meshpipe-Signature");
            }
            return client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }

        void attempt(String result) {
            Counter.builder("meshpipe.gateway.callback.attempts").description("completion webhook POSTs, by result")
                    .tag("result", result).register(metrics).increment();
        }

        void outcome(String outcome) {
            Counter.builder("meshpipe.gateway.callbacks").description("completion webhooks, by outcome: delivered, given_up, refused")
                    .tag("outcome", outcome).register(metrics).increment();
        }
    }
}
