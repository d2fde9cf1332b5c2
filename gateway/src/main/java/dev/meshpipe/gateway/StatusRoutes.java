package dev.meshpipe.gateway;

import dev.meshpipe.common.Json;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobStatus;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.util.concurrent.ConcurrentHashMap;

/** {@code GET /jobs/{id}}: a job's status, the route clients poll most. */
final class StatusRoutes {
    private static final int MAX_RENDERED = 50_000;

    private final RouteContext c;
    private final ConcurrentHashMap<String, RenderedView> rendered = new ConcurrentHashMap<>();

    StatusRoutes(RouteContext c) {
        this.c = c;
    }

    void status(Context ctx) {
        JobStatus s = c.lookup(ctx);
        if (c.auth().enabled() && s.state() == JobState.SUCCEEDED) {
            ctx.json(c.view(s)); // a signed link, fresh each time
            return;
        }
        RenderedView v = rendered.get(s.id());
        if (v == null || v.status() != s) {
            v = new RenderedView(s, Json.bytes(c.view(s)));
            if (rendered.size() >= MAX_RENDERED) {
                rendered.clear(); // a memo only: any entry may go at any time
            }
            rendered.put(s.id(), v);
        }
        ctx.contentType(ContentType.APPLICATION_JSON).result(v.json());
    }

    /** A status's JSON view, reused while the status store hands out that same status object. */
    private record RenderedView(JobStatus status, byte[] json) {}
}
