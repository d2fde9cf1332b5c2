package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.JobStatus;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /jobs/{id}/events}: a job's status as Server-Sent Events, one {@code status} event
 * per change, ending after the terminal one. One ticker re-reads the status of every followed
 * job (once per job, however many streams follow it) through the same lookup as
 * {@code GET /jobs/{id}}, so any instance serves any job; a few workers do the reads and writes.
 * Statuses are monotonic folds, so a client that missed steps needs only the current one: a
 * reconnect with {@code Last-Event-ID} gets the current status at once if it differs.
 */
final class StatusEvents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusEvents.class);
    static final String MEDIA_TYPE = "text/event-stream";
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_OF_EVENT = {'\n', '\n'};

    /**
     * How often a followed job is read again ({@code poll}), the longest a stream goes without a
     * byte ({@code heartbeat}, for proxies), the reconnection delay suggested to clients
     * ({@code retry:}), and when a stream ends anyway ({@code maxAge}; the client reconnects).
     */
    record Timing(Duration poll, Duration heartbeat, Duration retry, Duration maxAge) {
        static Timing defaults(Duration idleTimeout) {
            // A heartbeat well inside the idle timeout, or Jetty would end a quiet stream.
            Duration beat = idleTimeout.dividedBy(2).compareTo(Duration.ofSeconds(15)) < 0 ? idleTimeout.dividedBy(2) : Duration.ofSeconds(15);
            return new Timing(Duration.ofMillis(100), beat, Duration.ofSeconds(2), Duration.ofHours(1));
        }
    }

    private final RouteContext c;
    private final Timing timing;
    private final ConcurrentHashMap<String, Watch> watches = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> perTenant = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("meshpipe-events-tick"));
    private final ExecutorService workers = Executors.newFixedThreadPool(4, daemon("meshpipe-events"));

    StatusEvents(RouteContext c, Timing timing) {
        this.c = c;
        this.timing = timing;
        ticker.scheduleWithFixedDelay(this::tick, timing.poll().toMillis(), timing.poll().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The event id of a status: {@code <state rank>-<progress>-<updatedAt millis>}, which only grows as the job moves on. */
    static String eventId(JobStatus s) {
        return s.state().rank() + "-" + s.progress() + "-" + (s.updatedAt() == null ? 0 : s.updatedAt().toEpochMilli());
    }

    void stream(Context ctx) throws IOException {
        JobStatus s = c.lookup(ctx); // 400, 404 and 503 as problems, before anything is streamed
        String lastId = ctx.header("Last-Event-ID");
        boolean same = eventId(s).equals(lastId);
        if (same && s.state().isFinished()) {
            ctx.status(204); // the client has the end already; 204 tells EventSource not to reconnect
            return;
        }
        String tenant = String.valueOf(Auth.tenant(ctx));
        if (ctx.method() != HandlerType.HEAD) {
            reserve(tenant);
        }
        ctx.header("Cache-Control", "no-cache").header("X-Accel-Buffering", "no").contentType(MEDIA_TYPE + "; charset=utf-8");
        if (ctx.method() == HandlerType.HEAD) {
            return;
        }
        Stream st = new Stream(ctx.res().getOutputStream(), System.nanoTime() + timing.maxAge().toNanos());
        st.done.whenComplete((v, e) -> release(tenant));
        try {
            st.write(("retry: " + timing.retry().toMillis() + "\n\n").getBytes(StandardCharsets.US_ASCII));
            if (same) {
                st.lastId = lastId;
            } else {
                st.send(s, c.view(s));
            }
        } catch (IOException | RuntimeException e) {
            st.end();
        }
        if (s.state().isFinished()) {
            st.end();
        } else if (!st.done.isDone()) {
            watches.compute(s.id(), (id, w) -> {
                Watch watch = w == null ? new Watch() : w;
                watch.streams.add(st);
                return watch;
            });
        }
        ctx.future(() -> st.done);
    }

    /** Takes a slot under both caps, or answers 503 (the instance's) or 429 (the tenant's). */
    private void reserve(String tenant) {
        if (open.incrementAndGet() > c.edge().maxEventStreams()) {
            open.decrementAndGet();
            throw new MeshpipeException(ErrorCode.TOO_MANY_STREAMS, "this instance has " + c.edge().maxEventStreams()
                    + " open event streams; poll GET /jobs/{id} or try again").with("limit", c.edge().maxEventStreams());
        }
        int perTenantMax = c.edge().tenantMaxEventStreams();
        if (perTenantMax > 0 && perTenant.merge(tenant, 1, Integer::sum) > perTenantMax) {
            release(tenant);
            throw new MeshpipeException(ErrorCode.TENANT_QUOTA_EXCEEDED, "at most " + perTenantMax + " open event streams per tenant")
                    .with("limit", perTenantMax).retryAfter(Duration.ofSeconds(5));
        }
    }

    private void release(String tenant) {
        open.decrementAndGet();
        if (c.edge().tenantMaxEventStreams() > 0) {
            perTenant.computeIfPresent(tenant, (t, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Hands each followed job to a worker, unless its last round is still running (a slow peer). */
    private void tick() {
        watches.forEach((id, w) -> {
            if (w.busy.compareAndSet(false, true)) {
                try {
                    workers.execute(() -> round(id, w));
                } catch (RuntimeException e) {
                    w.busy.set(false); // shutting down; nothing may leave tick, or the ticker stops for good
                }
            }
        });
    }

    /** One job's round: read its status once, push it to each stream that lacks it, end what is over. */
    private void round(String id, Watch w) {
        try {
            Optional<JobStatus> read = Optional.empty();
            boolean known = true;
            try {
                read = c.statuses().get(id);
            } catch (RuntimeException e) {
                known = false; // 503 while rebalancing: ask again next round
                if (!(e instanceof MeshpipeException m) || m.code() != ErrorCode.STATUS_UNAVAILABLE) {
                    log.warn("event stream of job {}: status read failed", id, e);
                }
            }
            long now = System.nanoTime();
            StatusView view = read.map(StatusView::of).orElse(null);
            for (Stream st : w.streams) {
                try {
                    if (known && read.isEmpty()) {
                        st.end(); // gone (past its retention)
                    } else if (known && st.differs(read.get(), view)) {
                        JobStatus s = read.get();
                        st.send(s, c.view(s));
                        if (s.state().isFinished()) {
                            st.end();
                        }
                    } else if (now - st.lastWrite > timing.heartbeat().toNanos()) {
                        st.write(KEEP_ALIVE);
                    }
                    if (now - st.deadline > 0) {
                        st.end();
                    }
                } catch (IOException | RuntimeException e) {
                    st.end(); // the client went away
                }
            }
            w.streams.removeIf(st -> st.done.isDone());
        } finally {
            w.busy.set(false);
            watches.computeIfPresent(id, (k, v) -> v.streams.isEmpty() ? null : v);
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        workers.shutdownNow();
        watches.values().forEach(w -> w.streams.forEach(Stream::end));
        watches.clear();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** The streams following one job, and whether a worker has its round now. */
    private static final class Watch {
        final Set<Stream> streams = ConcurrentHashMap.newKeySet();
        final AtomicBoolean busy = new AtomicBoolean();
    }

    /** One client's stream; written by one thread at a time (the request's, then its job's round). */
    private static final class Stream {
        final OutputStream out;
        final long deadline;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        volatile long lastWrite = System.nanoTime();
        volatile String lastId;
        volatile StatusView lastView;

        Stream(OutputStream out, long deadline) {
            this.out = out;
            this.deadline = deadline;
        }

        /** Whether {@code s} is news to this client: a new id, or other content under the same one. */
        boolean differs(JobStatus s, StatusView view) {
            return !eventId(s).equals(lastId) || (lastView != null && !lastView.equals(view));
        }

        void send(JobStatus s, StatusView signed) throws IOException {
            String id = eventId(s);
            write(("id: " + id + "\nevent: status\ndata: ").getBytes(StandardCharsets.US_ASCII), Json.bytes(signed), END_OF_EVENT);
            lastId = id;
            lastView = StatusView.of(s);
        }

        void write(byte[]... parts) throws IOException {
            for (byte[] p : parts) {
                out.write(p);
            }
            out.flush();
            lastWrite = System.nanoTime();
        }

        void end() {
            done.complete(null);
        }
    }
}
