package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshErrors;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Locale;

/** What a {@code POST /jobs} asks for, read and checked: the JSON form, or an upload's query parameters. */
final class SubmissionRequests {
    static final int MAX_JSON_BYTES = 1024 * 1024;

    private SubmissionRequests() {}

    /** The JSON form of {@code POST /jobs}; {@code id} lets a client name its job (and its input key). */
    record JsonRequest(String id, InputRef input, JobParams params) {}

    /** The request's media type, lower case and without parameters; empty when none was sent. */
    static String mediaType(Context ctx) {
        return ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].trim().toLowerCase(Locale.ROOT);
    }

    /** A ZIP of DICOM files: stored and claim-checked like any upload; the reader knows it by its magic. */
    static boolean isZipUpload(String type) {
        return type.equals("application/zip") || type.equals("application/x-zip-compressed");
    }

    /** Reads and checks the JSON form; returns it with validated params. */
    static JsonRequest readJson(Context ctx, VolumeLimits limits) throws IOException {
        byte[] body = ctx.bodyInputStream().readNBytes(MAX_JSON_BYTES + 1);
        if (body.length > MAX_JSON_BYTES) {
            throw new MeshpipeException(ErrorCode.PAYLOAD_TOO_LARGE, "JSON requests are limited to " + MAX_JSON_BYTES + " bytes");
        }
        return parseJson(body, limits);
    }

    /** Checks a JSON request body: the request with validated params, or MeshpipeException saying what is wrong. */
    static JsonRequest parseJson(byte[] body, VolumeLimits limits) {
        JsonRequest req;
        try {
            req = Json.read(body, JsonRequest.class);
        } catch (IOException e) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, Json.requestBodyProblem(e));
        }
        if (req == null || req.input() == null) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "request needs an 'input': {\"synthetic\": SPEC} or {\"object\": KEY}");
        }
        if (req.input() instanceof InputRef.Inline) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "upload volumes as application/octet-stream, not inline");
        }
        if (req.input() instanceof InputRef.Synthetic s) {
            if (s.synthetic() == null) {
                throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "input.synthetic is empty");
            }
            MeshErrors.call(() -> SyntheticVolumes.validate(s.synthetic(), limits));
        }
        if (req.input() instanceof InputRef.StoredObject o && (req.id() == null || !String.valueOf(o.object()).startsWith("inputs/" + req.id() + "/"))) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "an 'object' input needs an 'id', and the object must be under inputs/{id}/");
        }
        JobParams params = (req.params() == null ? JobParams.defaults() : req.params()).validated();
        return new JsonRequest(req.id(), req.input(), params);
    }

    /** An upload's parameters from its query string, and its form's colour table if it has one, validated. */
    static JobParams uploadParams(Context ctx, String formColors) {
        if (formColors != null && ctx.queryParam("colors") != null) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "colors is both in the query string and a part of the form; send it once");
        }
        return JobParams.fromQuery(name -> formColors != null && name.equals("colors") ? formColors : ctx.queryParam(name));
    }
}
