package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Errors Jetty answers before Javalin sees the request (an ambiguous path such as {@code ..%2F},
 * a malformed request line, headers too large, an idle connection) come out as problem+json with
 * a code, written by {@link Problems} like every other error, instead of Jetty's HTML page.
 */
final class JettyProblems extends ErrorHandler {

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request, HttpServletResponse response,
                                              int status, String message) throws IOException {
        MeshpipeException e = failure(status, message);
        byte[] body = Problems.body(e, status, request.getRequestURI());
        Problems.retryAfterHeader(e).ifPresent(v -> response.setHeader("Retry-After", v));
        response.setContentType(Problem.MEDIA_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        baseRequest.setHandled(true);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        MeshpipeException e = failure(status, reason);
        fields.put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        Problems.retryAfterHeader(e).ifPresent(v -> fields.put(HttpHeader.RETRY_AFTER, v));
        return ByteBuffer.wrap(Problems.body(e, status, null));
    }

    /** Jetty's status as a failure with the nearest code; the status itself stays Jetty's (408, 431, ...). */
    static MeshpipeException failure(int status, String reason) {
        ErrorCode code = switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.INVALID_REQUEST;
        };
        return new MeshpipeException(code, reason == null || reason.isBlank() ? "the request was refused by the HTTP server" : reason);
    }
}
