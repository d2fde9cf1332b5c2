package dev.meshpipe.gateway;

import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** {@code http.server.requests} timers by method, route template and status. */
final class RequestMetrics {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

    RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Javalin's request logger: runs once per request, after the answer. */
    void record(Context ctx, float ms) {
        timer(ctx.method().name(), route(ctx), ctx.statusCode()).record((long) (ms * 1_000_000), TimeUnit.NANOSECONDS);
    }

    /** Made once each: this runs on every request. */
    private Timer timer(String method, String route, int status) {
        return timers.computeIfAbsent(method + ' ' + route + ' ' + status, k -> Timer.builder("http.server.requests")
                .tag("method", method).tag("route", route).tag("status", String.valueOf(status)).register(registry));
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
}
