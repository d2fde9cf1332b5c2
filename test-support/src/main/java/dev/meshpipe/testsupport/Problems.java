package dev.meshpipe.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The one check of an error answer at the HTTP edge, as the API promises it (docs/api.md). */
public final class Problems {
    /** A package-qualified name of the JDK, meshpipe or a library it runs on: a leak of Java internals. */
    private static final Pattern JAVA_NAME = Pattern.compile(
            "\\b(?:java|javax|jdk|sun|dev\\.meshpipe|com\\.fasterxml|org\\.apache|org\\.eclipse|io\\.javalin|software\\.amazon)"
                    + "(?:\\.[A-Za-z_$][\\w$]*)+");

    private Problems() {}

    /**
     * The answer has this status and is a problem+json document with this {@code code}, its own
     * status, a type, title, detail and instance, and no stack trace or Java class name.
     */
    public static void assertProblem(HttpResponse<String> r, int status, String code) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("").split(";")[0], r.body());
        JsonNode p = Json.MAPPER.readTree(r.body());
        assertEquals(code, p.path("code").asText(), r.body());
        assertEquals(r.statusCode(), p.path("status").asInt());
        assertTrue(p.has("type") && p.has("title") && p.has("detail") && p.has("instance"), r.body());
        assertTrue(!r.body().contains("Exception") && !r.body().contains("\tat "), r.body());
        Matcher java = JAVA_NAME.matcher(r.body());
        assertFalse(java.find(), () -> "a Java name in the answer: " + java.group() + " in " + r.body());
    }
}
