package dev.meshpipe.gateway;

import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeException;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Optional;

/**
 * The one place a failure becomes an HTTP answer: problem+json whose status comes from the
 * error code, with {@code Retry-After} from the code's retry rule. Javalin's routes and Jetty's
 * own refusals ({@link JettyProblems}) both answer through here.
 */
final class Problems {
    private Problems() {}

    static void answer(Context ctx, MeshpipeException e) {
        answer(ctx, e, e.code().httpStatus());
    }

    /** Answers under another status than the code's: only where HTTP has a status of its own (416, Jetty's refusals). */
    static void answer(Context ctx, MeshpipeException e, int status) {
        retryAfterHeader(e).ifPresent(v -> ctx.header("Retry-After", v));
        ctx.status(status).contentType(Problem.MEDIA_TYPE).result(body(e, status, ctx.path()));
    }

    static byte[] body(MeshpipeException e, int status, String instance) {
        return Json.bytes(Problem.of(e, status, instance));
    }

    /** {@code Retry-After} in whole seconds, rounded up so a client never asks again too early. */
    static Optional<String> retryAfterHeader(MeshpipeException e) {
        return e.retryAfter().map(Problems::seconds);
    }

    private static String seconds(Duration d) {
        long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        return String.valueOf(Math.max(0, s));
    }
}
