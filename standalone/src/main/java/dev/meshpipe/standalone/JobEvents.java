package dev.meshpipe.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Reads a job's Server-Sent Events ({@code GET /jobs/{id}/events}, docs/api.md) for
 * {@link GatewayClient#awaitFinished}: each {@code status} event's data is the job's status.
 */
final class JobEvents {
    /** A stream that sends nothing, not even the server's heartbeat (every 15 s), for this long is given up. */
    static final long SILENCE_MS = 45_000;
    /** The end of the lines (an identity, never equal to a line read). */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String END = new String("end");

    private JobEvents() {}

    /** What the streams of one job have said so far, carried from one connection to the next. */
    static final class Followed {
        JsonNode last;
        String lastEventId;
        long retryMs = 1000;
        int events;
    }

    /**
     * Opens the stream and reads it until it ends, the job finishes, or {@code endNanos} passes;
     * returns the HTTP status (200: it was a stream), 0 when the gateway could not be reached.
     */
    static int follow(HttpClient http, HttpRequest req, long endNanos, Followed f, Consumer<JsonNode> onStatus)
            throws InterruptedException {
        Lines lines = new Lines();
        CompletableFuture<HttpResponse.ResponseInfo> head = new CompletableFuture<>();
        CompletableFuture<HttpResponse<Void>> sent = http.sendAsync(req, info -> {
            head.complete(info);
            boolean stream = info.statusCode() == 200
                    && info.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
            return stream ? HttpResponse.BodySubscribers.fromLineSubscriber(lines) : HttpResponse.BodySubscribers.discarding();
        });
        sent.whenComplete((r, e) -> {
            head.completeExceptionally(e != null ? e : new IOException("no response"));
            lines.queue.add(END);
        });
        HttpResponse.ResponseInfo info;
        try {
            info = head.get(Math.max(1, Math.min(endNanos - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(SILENCE_MS))), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            sent.cancel(true); // no headers in time: give up on this connection
            lines.cancel();
            return 0;
        }
        if (info.statusCode() != 200 || !info.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
            return info.statusCode() == 200 ? 404 : info.statusCode(); // 200 but no stream: not a gateway that streams
        }
        try {
            read(lines, endNanos, f, onStatus);
        } finally {
            lines.cancel();
        }
        return 200;
    }

    /**
     * The event stream format (WHATWG HTML, "server-sent events"), the fields meshpipe sends; stops
     * at the job's end, the stream's end, the deadline, or after {@link #SILENCE_MS} without a line.
     */
    private static void read(Lines lines, long endNanos, Followed f, Consumer<JsonNode> onStatus) throws InterruptedException {
        String id = null;
        String event = null;
        StringBuilder data = new StringBuilder();
        long silentSince = System.nanoTime();
        while (System.nanoTime() - endNanos < 0) {
            String line = lines.queue.poll(200, TimeUnit.MILLISECONDS);
            if (line == null) {
                if (System.nanoTime() - silentSince > TimeUnit.MILLISECONDS.toNanos(SILENCE_MS)) {
                    return;
                }
                continue;
            }
            silentSince = System.nanoTime();
            if (line == END) {
                return;
            }
            if (line.isEmpty()) {
                if (data.length() > 0 && (event == null || event.equals("status")) && dispatch(id, data.toString(), f, onStatus)) {
                    return;
                }
                id = null;
                event = null;
                data.setLength(0);
                continue;
            }
            if (line.startsWith(":")) {
                continue; // a heartbeat
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
            switch (field) {
                case "id" -> id = value;
                case "event" -> event = value;
                case "data" -> data.append(data.length() > 0 ? "\n" : "").append(value);
                case "retry" -> {
                    if (value.matches("\\d{1,6}")) {
                        f.retryMs = Math.max(100, Math.min(10_000, Long.parseLong(value)));
                    }
                }
                default -> { }
            }
        }
    }

    /** The body's lines, queued for the reading thread, which may give up on them (cancel) at any time. */
    private static final class Lines implements Flow.Subscriber<String> {
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.complete(s);
            s.request(Long.MAX_VALUE); // a status stream is small: a few dozen events
        }

        @Override
        public void onNext(String line) {
            queue.add(line);
        }

        @Override
        public void onError(Throwable t) {
            queue.add(END);
        }

        @Override
        public void onComplete() {
            queue.add(END);
        }

        void cancel() {
            subscription.thenAccept(Flow.Subscription::cancel);
        }
    }

    /** Hands on one status; true once the job has finished. */
    private static boolean dispatch(String id, String data, Followed f, Consumer<JsonNode> onStatus) {
        JsonNode status;
        try {
            status = Json.MAPPER.readTree(data);
        } catch (IOException e) {
            return false;
        }
        f.last = status;
        f.events++;
        if (id != null) {
            f.lastEventId = id;
        }
        onStatus.accept(status);
        return GatewayClient.isFinished(status.path("state").asText());
    }
}
