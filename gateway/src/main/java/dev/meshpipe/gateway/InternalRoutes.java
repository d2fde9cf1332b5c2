package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JobId;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.JobStatus;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.Map;
import java.util.Optional;

/**
 * What another gateway instance asks this one ({@link PeerClient}) when this one owns the
 * partition. With tokens on, a call without a valid signature is answered as a missing route.
 */
final class InternalRoutes {
    private final StatusStore statuses;
    private final Auth auth;

    InternalRoutes(StatusStore statuses, Auth auth) {
        this.statuses = statuses;
        this.auth = auth;
    }

    void register(Javalin app) {
        GatewayHttp.route(app, "/internal/status/{id}", Map.of(HandlerType.GET, this::status));
        GatewayHttp.route(app, "/internal/usage", Map.of(HandlerType.GET, this::usage));
        GatewayHttp.route(app, "/internal/jobs", Map.of(HandlerType.GET, this::list));
    }

    private void status(Context ctx) {
        String id = ctx.pathParam("id");
        if (!JobId.isValid(id)) {
            throw new MeshpipeException(ErrorCode.INVALID_JOB_ID, "not a valid job id");
        }
        requireSigned(ctx, id);
        int partition = statuses.partitionOf(id);
        if (partition < 0) {
            throw StatusStore.unavailable("the owner of this job's status is being decided");
        }
        Optional<JobStatus> status = statuses.local(id, partition);
        if (status.isEmpty()) {
            throw new MeshpipeException(ErrorCode.JOB_NOT_FOUND, "no job " + id);
        }
        ctx.json(status.get());
    }

    /** A tenant's usage in this instance's partitions, for another instance checking a quota. */
    private void usage(Context ctx) {
        String tenant = ctx.queryParam("tenant");
        requireSigned(ctx, PeerClient.usageSubject(tenant));
        ctx.json(statuses.localUsage(tenant));
    }

    /** A page of the listing from this instance's partitions; the asking instance chose the scope from its caller. */
    private void list(Context ctx) {
        String scope = ctx.queryParam("scope");
        String cursor = ctx.queryParam("cursor");
        JobListing.Query q = new JobListing.Query(scope == null ? JobListing.ALL : scope,
                cursor == null ? null : JobListing.Position.ofCursor(cursor),
                JobListing.parseStates(ctx.queryParam("state")), JobListing.parseLimit(ctx.queryParam("limit"), JobListing.MAX_LIMIT + 1));
        requireSigned(ctx, JobListing.subject(q));
        ctx.json(statuses.localList(q));
    }

    private void requireSigned(Context ctx, String subject) {
        if (auth.enabled() && !auth.internalValid(subject, ctx.header(PeerClient.SIGNATURE_HEADER))) {
            throw new MeshpipeException(ErrorCode.NOT_FOUND, "no route GET " + ctx.path());
        }
    }
}
