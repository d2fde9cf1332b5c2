package dev.meshpipe.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The one JSON mapper: ISO-8601 instants, unknown fields ignored so newer producers stay readable. */
public final class Json {
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private Json() {}

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String string(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String pretty(Object value) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What is wrong with a JSON document, for error details and DLQ headers: the field and what it
     * must hold for a well-formed document of the wrong shape, the parser's complaint for a malformed
     * one. Never Jackson's own text for the former: it names Java classes, which mean nothing to
     * someone who wrote JSON (or only passed {@code --formats stl,fbx} to the CLI).
     */
    public static String shortMessage(IOException e) {
        if (e instanceof InvalidFormatException f) {
            return field(f) + ": " + (f.getTargetType() != null && f.getTargetType().isEnum()
                    ? "unknown value '" + abbreviate(f.getValue()) + "' (expected " + enumValues(f.getTargetType()) + ")"
                    : "'" + abbreviate(f.getValue()) + "' is not " + kind(f.getTargetType()));
        }
        if (e instanceof InvalidTypeIdException t) {
            return field(t) + ": not one of the forms it can take";
        }
        if (e instanceof MismatchedInputException m) {
            return field(m) + ": expected " + kind(m.getTargetType());
        }
        if (e instanceof DatabindException d) {
            return field(d) + ": not a valid value";
        }
        if (e instanceof JsonProcessingException jpe) {
            // Drop the location dump ("[Source: ...", which also names a Jackson feature).
            String m = String.valueOf(jpe.getOriginalMessage());
            int cut = m.indexOf(" (start marker at");
            cut = cut >= 0 ? cut : m.indexOf(" at [Source");
            return cut >= 0 ? m.substring(0, cut) : m;
        }
        return e.getMessage();
    }

    /** A request body's problem, {@link #shortMessage} led by what kind it is. */
    public static String requestBodyProblem(IOException e) {
        return e instanceof DatabindException ? "request body: " + shortMessage(e) : "request body is not valid JSON: " + shortMessage(e);
    }

    /** The field's path in the document, e.g. {@code params.formats[1]}. */
    private static String field(DatabindException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : ((JsonMappingException) e).getPath()) {
            if (r.getFieldName() != null) {
                path.append(path.length() > 0 ? "." : "").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.length() > 0 ? path.toString() : "the document";
    }

    private static String kind(Class<?> type) {
        if (type == null) {
            return "a different kind of value";
        }
        if (type.isEnum()) {
            return "one of " + enumValues(type);
        }
        if (CharSequence.class.isAssignableFrom(type)) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type) || type == int.class || type == long.class || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }

    /** An enum's constants as they are written in JSON. */
    private static String enumValues(Class<?> type) {
        return java.util.Arrays.stream(type.getEnumConstants())
                .map(c -> MAPPER.convertValue(c, String.class))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static String abbreviate(Object value) {
        String s = String.valueOf(value);
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    public static <T> T read(byte[] bytes, Class<T> type) throws IOException {
        return MAPPER.readValue(bytes, type);
    }
}
