package dev.meshpipe.gateway;

import dev.meshpipe.common.events.JobStatus;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import dev.meshpipe.common.events.JobState;

/**
 * {@code GET /jobs}: the caller's jobs, newest first, a page at a time. With tokens on the scope
 * is the caller's tenant; without, every job (as every job is visible then).
 */
final class ListRoutes {
    private final RouteContext c;

    ListRoutes(RouteContext c) {
        this.c = c;
    }

    /** The answer: a page of the views {@code GET /jobs/{id}} gives, and the cursor of the next page (null at the end). */
    public record Page(List<StatusView> jobs, String next) {}

    void list(Context ctx) {
        Set<JobState> states = JobListing.parseStates(ctx.queryParam("state"));
        int limit = JobListing.parseLimit(ctx.queryParam("limit"));
        String cursor = ctx.queryParam("cursor");
        JobListing.Position after = cursor == null || cursor.isEmpty() ? null : JobListing.Position.ofCursor(cursor);
        String scope = c.auth().enabled() ? JobListing.scopeOf(Auth.tenant(ctx)) : JobListing.ALL;
        // One more than the page, to learn whether another follows.
        List<JobListing.Item> items = c.statuses().list(new JobListing.Query(scope, after, states, limit + 1));
        List<StatusView> jobs = new ArrayList<>();
        JobListing.Position last = null;
        for (JobListing.Item item : items.subList(0, Math.min(limit, items.size()))) {
            JobStatus s = item.status();
            if (c.auth().visible(ctx, s)) { // the index already scoped the page; this is the route's own check
                jobs.add(c.view(s));
            }
            last = item.position();
        }
        ctx.json(new Page(jobs, items.size() > limit && last != null ? last.cursor() : null));
    }
}
