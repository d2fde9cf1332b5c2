package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeException;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's HTTP app without its Kafka parts: Jetty and Javalin set up, every failure
 * answered through {@link Problems}, the job routes, and 405 with {@code Allow} for every
 * method a path lacks. The service adds its health, metrics and internal routes; route tests
 * run this same app with in-memory statuses.
 */
final class GatewayHttp {
    private static final Logger log = LoggerFactory.getLogger(GatewayHttp.class);

    /** The methods a route may be asked with; any other gets 405 naming the ones it has. */
    private static final List<HandlerType> METHODS = List.of(HandlerType.GET, HandlerType.HEAD, HandlerType.POST, HandlerType.PUT,
            HandlerType.PATCH, HandlerType.DELETE, HandlerType.OPTIONS, HandlerType.TRACE);

    private GatewayHttp() {}

    /** A Javalin app with the gateway's settings; {@code more} adds the caller's own (a request logger). */
    static Javalin create(Duration idleTimeout, Consumer<JavalinConfig> more) {
        Javalin app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.jetty.modifyServer(server -> server.setErrorHandler(new JettyProblems()));
            c.jetty.modifyServletContextHandler(h -> h.setErrorHandler(new JettyProblems()));
            // The web page (index.html, app.js, the vendored 3D viewer) at /.
            c.staticFiles.add(sf -> {
                sf.hostedPath = "/";
                sf.directory = "/web";
                sf.location = Location.CLASSPATH;
            });
            c.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            c.http.disableCompression();
            // How long a request may send or receive nothing; a stalled upload then gets 408 (Uploads).
            c.jetty.modifyHttpConfiguration(h -> h.setIdleTimeout(idleTimeout.toMillis()));
            more.accept(c);
        });
        problems(app);
        return app;
    }

    /** Every failure a route throws, and Javalin's own 404 and 405, as problem+json. */
    private static void problems(Javalin app) {
        app.exception(MeshpipeException.class, (e, ctx) -> Problems.answer(ctx, e));
        app.exception(Exception.class, (e, ctx) -> {
            log.error("{} {} failed", ctx.method(), ctx.path(), e);
            Problems.answer(ctx, new MeshpipeException(ErrorCode.INTERNAL_ERROR, "an unexpected error occurred"));
        });
        app.error(404, ctx -> {
            if (!Problem.MEDIA_TYPE.equals(ctx.res().getContentType())) {
                Problems.answer(ctx, new MeshpipeException(ErrorCode.NOT_FOUND, "no route " + ctx.method() + " " + ctx.path()));
            }
        });
        app.error(405, ctx -> {
            if (!Problem.MEDIA_TYPE.equals(ctx.res().getContentType())) {
                Problems.answer(ctx, new MeshpipeException(ErrorCode.METHOD_NOT_ALLOWED, ctx.method() + " is not allowed on " + ctx.path()));
            }
        });
    }

    /** The job routes of docs/api.md, behind the bearer-token check. */
    static void jobRoutes(Javalin app, RouteContext c) {
        jobRoutes(app, c, StatusEvents.Timing.defaults(c.edge().idleTimeout()));
    }

    /** The same, with the event streams' timing (route tests use shorter heartbeats). */
    static void jobRoutes(Javalin app, RouteContext c, StatusEvents.Timing eventTiming) {
        SubmissionRoutes submissions = new SubmissionRoutes(c);
        StatusRoutes statuses = new StatusRoutes(c);
        ResultRoutes results = new ResultRoutes(c);
        CancelRoutes cancels = new CancelRoutes(c);
        StatusEvents events = new StatusEvents(c, eventTiming);
        app.events(e -> e.serverStopping(events::close));
        ListRoutes lists = new ListRoutes(c);
        app.before("/jobs", c.auth()::authenticate);
        app.before("/jobs/*", c.auth()::authenticate);
        route(app, "/jobs", Map.of(HandlerType.POST, submissions::submit, HandlerType.GET, lists::list));
        route(app, "/jobs/{id}", Map.of(HandlerType.GET, statuses::status, HandlerType.DELETE, cancels::cancel));
        route(app, "/jobs/{id}/events", Map.of(HandlerType.GET, events::stream));
        route(app, "/jobs/{id}/download", Map.of(HandlerType.GET, ctx -> results.download(ctx, false),
                HandlerType.HEAD, ctx -> results.download(ctx, true)));
        route(app, "/jobs/{id}/preview.png", Map.of(HandlerType.GET, results::preview));
        route(app, "/jobs/{id}/mesh.glb", Map.of(HandlerType.GET, results::glb));
        route(app, "/jobs/{id}/quality.json", Map.of(HandlerType.GET, results::quality));
    }

    /**
     * Registers a path's handlers, and for every other method an answer that says which ones it
     * has: 405 {@code METHOD_NOT_ALLOWED} with {@code Allow} (RFC 9110 section 15.5.6), or for
     * OPTIONS 204 with {@code Allow}. A path with GET answers HEAD with the same handler (Jetty
     * sends no body), so HEAD gets the status and headers GET would.
     */
    static void route(Javalin app, String path, Map<HandlerType, Handler> handlers) {
        Map<HandlerType, Handler> all = new EnumMap<>(handlers);
        if (all.containsKey(HandlerType.GET)) {
            all.putIfAbsent(HandlerType.HEAD, all.get(HandlerType.GET));
        }
        String allow = String.join(", ", METHODS.stream().filter(all::containsKey).map(Enum::name).toList());
        for (HandlerType method : METHODS) {
            Handler h = all.get(method);
            if (h == null && method == HandlerType.OPTIONS) {
                h = ctx -> ctx.header("Allow", allow).status(204);
            } else if (h == null) {
                h = ctx -> {
                    ctx.header("Allow", allow);
                    throw new MeshpipeException(ErrorCode.METHOD_NOT_ALLOWED,
                            ctx.method() + " is not allowed on " + ctx.path() + " (allowed: " + allow + ")");
                };
            }
            app.addHttpHandler(method, path, h);
        }
    }
}
