package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.Json;
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
 * a malformed request line, headers too large) come out as problem+json with a code, like every
 * other error, instead of Jetty's HTML page.
 */
final class JettyProblems extends ErrorHandler {

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request, HttpServletResponse response,
                                              int status, String message) throws IOException {
        byte[] body = Json.bytes(problem(status, message, request.getRequestURI()));
        response.setContentType(Problem.MEDIA_TYPE);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        baseRequest.setHandled(true);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        return ByteBuffer.wrap(Json.bytes(problem(status, reason, null)));
    }

    static Problem problem(int status, String reason, String instance) {
        ErrorCode code = switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.INVALID_REQUEST;
        };
        Problem p = Problem.of(code, reason == null || reason.isBlank() ? "the request was refused by the HTTP server" : reason, instance);
        return new Problem(p.type(), p.title(), status, p.detail(), p.instance(), p.code(), p.extra());
    }
}
