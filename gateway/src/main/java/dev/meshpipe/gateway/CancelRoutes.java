package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobStatus;
import dev.meshpipe.common.store.Cancellation;
import io.javalin.http.Context;
import java.io.IOException;

/**
 * {@code DELETE /jobs/{id}}: cancels a job that has not finished. The first terminal event on the
 * events topic decides (docs/architecture.md, "Cancel versus completion"), and the answer is the
 * one it decided: 202 with CANCELLED, or 409 when the job finished first.
 */
final class CancelRoutes {
    private final RouteContext c;

    CancelRoutes(RouteContext c) {
        this.c = c;
    }

    void cancel(Context ctx) throws Exception {
        JobStatus s = c.lookup(ctx);
        if (s.state().isFinished()) {
            throw alreadyFinished(s);
        }
        boolean cancelWins;
        try {
            // The marker stops the processor and packager; the event stops the status.
            cancelWins = Cancellation.request(c.store(), s.id());
        } catch (IOException e) {
            throw RouteContext.storageDown();
        }
        if (cancelWins) {
            c.publisher().event(s.id(), JobEvent.of(s.id(), JobState.CANCELLED, s.progress(), "cancelled"));
        }
        // Otherwise the packager may have decided to complete the job already: its transaction
        // announces either the result or CANCELLED, and that is the answer.
        JobStatus now = c.statuses().await(s.id(), st -> st.state().isFinished(), RouteContext.READ_YOUR_WRITES_MS).orElse(s);
        if (now.state().isFinished() && now.state() != JobState.CANCELLED) {
            throw alreadyFinished(now);
        }
        // CANCELLED, or (the status store lagging past the wait) a cancel taken but not yet confirmed.
        ctx.status(202).json(c.view(now));
    }

    private static MeshpipeException alreadyFinished(JobStatus s) {
        return new MeshpipeException(ErrorCode.JOB_ALREADY_FINISHED, "job is already " + s.state()).with("state", s.state());
    }
}
