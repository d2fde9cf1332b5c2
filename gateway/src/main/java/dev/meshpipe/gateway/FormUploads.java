package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.JobParams;
import io.javalin.http.Context;
import jakarta.servlet.MultipartConfigElement;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * An upload sent as {@code multipart/form-data}: the volume in a part named {@value #VOLUME} and a
 * label map's colour table, a file of its own, in a part named {@value #COLORS}. A table travels
 * here rather than in the query string because a full FreeSurfer table (about 60 KB) is far over
 * what a request line may carry. Jetty keeps parts over {@value #IN_MEMORY_BYTES} bytes in
 * temporary files, deleted when the request ends, so the form is read whole before its volume's
 * header is checked; a raw body is still the way to be refused after its first 64 KiB.
 */
final class FormUploads {
    static final String VOLUME = "volume";
    static final String COLORS = "colors";
    private static final int IN_MEMORY_BYTES = 1 << 20;
    /** Jetty's request attribute that turns on its multipart parsing for one request. */
    private static final String JETTY_MULTIPART_CONFIG = "org.eclipse.jetty.multipartConfig";

    private FormUploads() {}

    /** @param colors the colour table's text, or null when the form has none */
    record Form(Part volume, String colors) {
        InputStream open() throws IOException {
            return volume.getInputStream();
        }
    }

    static Form read(Context ctx, long maxUploadBytes, long idleSeconds) throws IOException {
        long maxColorsBytes = 4L * JobParams.MAX_COLORS_LENGTH; // UTF-8: up to 4 bytes a character
        ctx.req().setAttribute(JETTY_MULTIPART_CONFIG, new MultipartConfigElement(System.getProperty("java.io.tmpdir"),
                maxUploadBytes, maxUploadBytes + maxColorsBytes + 64 * 1024, IN_MEMORY_BYTES));
        Collection<Part> parts;
        try {
            parts = ctx.req().getParts();
        } catch (IllegalStateException e) {
            // Jetty's answer to a part or a request over the sizes above.
            throw new MeshpipeException(ErrorCode.PAYLOAD_TOO_LARGE, "the form exceeds the upload limit of " + maxUploadBytes + " bytes");
        } catch (ServletException | IOException e) {
            if (Uploads.isIdleTimeout(e)) {
                throw new MeshpipeException(ErrorCode.UPLOAD_TIMEOUT, "the upload stalled: no bytes arrived for " + idleSeconds
                        + " s; nothing was stored, send it again");
            }
            throw new MeshpipeException(ErrorCode.INVALID_REQUEST, "the body is not a readable multipart/form-data form");
        }
        Part volume = null;
        String colors = null;
        for (Part p : parts) {
            String name = p.getName() == null ? "" : p.getName();
            if (name.equals(VOLUME) && volume == null) {
                volume = p;
            } else if (name.equals(COLORS) && colors == null) {
                if (p.getSize() > maxColorsBytes) {
                    throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "colors longer than " + JobParams.MAX_COLORS_LENGTH + " characters");
                }
                try (InputStream in = p.getInputStream()) {
                    colors = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            } else {
                throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, (name.equals(VOLUME) || name.equals(COLORS)
                        ? "the form has two parts named '" + name + "'" : "the form has a part named '" + name + "'")
                        + "; send the volume as '" + VOLUME + "' and, for a label map, its colour table as '" + COLORS
                        + "' (every other parameter goes in the query string)");
            }
        }
        if (volume == null) {
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "the form has no part named '" + VOLUME + "' holding the volume");
        }
        return new Form(volume, colors);
    }
}
