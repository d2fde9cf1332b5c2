package dev.meshpipe.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** A small client of the gateway's HTTP API, used by the CLI. */
public final class GatewayClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;

    public GatewayClient(String baseUrl) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** An HTTP answer with a JSON body (a status or a problem). */
    public record Answer(int status, JsonNode body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        public String problem() {
            return body.path("code").asText("HTTP_" + status) + ": " + body.path("detail").asText("");
        }
    }

    public Answer submitJson(Object request) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(request))).build();
        return send(req);
    }

    public Answer upload(Path file, Map<String, String> params) throws IOException, InterruptedException {
        String query = params.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/jobs" + (query.isEmpty() ? "" : "?" + query)))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(file)).build();
        return send(req);
    }

    public Answer status(String id) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + id)).GET().build());
    }

    /** Whether a job in this state will not change any more (EXPIRED aside). */
    public static boolean isFinished(String state) {
        return switch (state) {
            case "SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED" -> true;
            default -> false;
        };
    }

    /** Polls the job's status until it has finished; fails after {@code timeout}. */
    public JsonNode awaitFinished(String id, Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < end) {
            Answer a = status(id);
            if (a.ok()) {
                last = a.body();
                if (isFinished(last.path("state").asText())) {
                    return last;
                }
            }
            Thread.sleep(100);
        }
        throw new IOException("job " + id + " did not finish within " + timeout + "; last status " + last);
    }

    /** Downloads the job's ZIP to {@code target}; returns the problem if there is none. */
    public Answer download(String id, Path target) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/jobs/" + id + "/download")).GET().build();
        Path tmp = target.resolveSibling(target.getFileName() + ".part");
        HttpResponse<Path> res = http.send(req, HttpResponse.BodyHandlers.ofFile(tmp));
        if (res.statusCode() != 200) {
            JsonNode body = Json.MAPPER.readTree(Files.readAllBytes(tmp));
            Files.deleteIfExists(tmp);
            return new Answer(res.statusCode(), body);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Answer(200, Json.MAPPER.createObjectNode().put("size", Files.size(target)));
    }

    private Answer send(HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body = res.body().length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(res.body());
        return new Answer(res.statusCode(), body);
    }
}
