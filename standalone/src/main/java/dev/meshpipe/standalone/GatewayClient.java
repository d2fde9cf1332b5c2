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
    private final String token;

    public GatewayClient(String baseUrl) {
        this(baseUrl, null);
    }

    /** @param token a bearer token, or null where the gateway has access control off */
    public GatewayClient(String baseUrl, String token) {
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token == null || token.isBlank() ? null : token.trim();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        return token == null ? b : b.header("Authorization", "Bearer " + token);
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
        HttpRequest req = request("/jobs")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(request))).build();
        return send(req);
    }

    /**
     * Uploads a volume with its parameters in the query string; a colour table ({@code colors})
     * goes beside the volume as a multipart/form-data part instead, since a large one does not fit
     * in a request line.
     */
    public Answer upload(Path file, Map<String, String> params) throws IOException, InterruptedException {
        String colors = params.get("colors");
        String query = params.entrySet().stream().filter(e -> !e.getKey().equals("colors"))
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder req = request("/jobs" + (query.isEmpty() ? "" : "?" + query));
        if (colors == null) {
            req.header("Content-Type", contentType(file)).POST(HttpRequest.BodyPublishers.ofFile(file));
        } else {
            String boundary = "meshpipe-" + java.util.UUID.randomUUID();
            String volumeHead = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"volume\"; filename=\""
                    + file.getFileName().toString().replace("\"", "") + "\"\r\nContent-Type: " + contentType(file) + "\r\n\r\n";
            String colorsPart = "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"colors\"; filename=\"colors.txt\"\r\n"
                    + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + colors + "\r\n--" + boundary + "--\r\n";
            req.header("Content-Type", "multipart/form-data; boundary=" + boundary).POST(HttpRequest.BodyPublishers.concat(
                    HttpRequest.BodyPublishers.ofString(volumeHead, StandardCharsets.UTF_8), HttpRequest.BodyPublishers.ofFile(file),
                    HttpRequest.BodyPublishers.ofString(colorsPart, StandardCharsets.UTF_8)));
        }
        return send(req.build());
    }

    /** A ZIP (of a DICOM series) goes as application/zip; any other volume as a plain byte stream. */
    static String contentType(Path file) {
        return file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".zip") ? "application/zip" : "application/octet-stream";
    }

    public Answer status(String id) throws IOException, InterruptedException {
        return send(request("/jobs/" + id).GET().build());
    }

    /** One page of {@code GET /jobs}: {@code states} comma-separated or null, {@code cursor} null for the first page. */
    public Answer list(String states, int limit, String cursor) throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder("/jobs?limit=").append(limit);
        if (states != null) {
            q.append("&state=").append(java.net.URLEncoder.encode(states, java.nio.charset.StandardCharsets.UTF_8));
        }
        if (cursor != null) {
            q.append("&cursor=").append(java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8));
        }
        return send(request(q.toString()).GET().build());
    }

    public Answer cancel(String id) throws IOException, InterruptedException {
        return send(request("/jobs/" + id).DELETE().build());
    }

    /** Whether a job in this state will not change any more (EXPIRED aside). */
    public static boolean isFinished(String state) {
        return switch (state) {
            case "SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED" -> true;
            default -> false;
        };
    }

    /** Follows the job until it has finished; fails after {@code timeout}. */
    public JsonNode awaitFinished(String id, Duration timeout) throws IOException, InterruptedException {
        return awaitFinished(id, timeout, status -> {});
    }

    /**
     * The same, handing every status seen to {@code onStatus} (a progress display). The job is
     * followed through its event stream ({@code GET /jobs/{id}/events}); a stream that breaks is
     * opened again with the last event id, and where the gateway has no stream (an older one
     * answers 404) or it keeps failing, the status is polled instead.
     */
    public JsonNode awaitFinished(String id, Duration timeout, java.util.function.Consumer<JsonNode> onStatus)
            throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        JobEvents.Followed f = new JobEvents.Followed();
        int failures = 0;
        while (System.nanoTime() < end) {
            if (failures < 3) {
                HttpRequest.Builder b = request("/jobs/" + id + "/events").header("Accept", "text/event-stream").GET();
                if (f.lastEventId != null) {
                    b.header("Last-Event-ID", f.lastEventId);
                }
                int before = f.events;
                int code = JobEvents.follow(http, b.build(), end, f, onStatus);
                if (f.last != null && isFinished(f.last.path("state").asText())) {
                    return f.last;
                }
                if (code == 200) {
                    failures = f.events > before ? 0 : failures + 1;
                    Thread.sleep(f.retryMs); // the stream ended early (the server's limit on its age, a restart): again
                    continue;
                }
                // No route (an older gateway) or a method it lacks: poll from now on. Anything else
                // (503, a connection refused): poll this round and try the stream again.
                failures = code == 404 || code == 405 ? 3 : failures + 1;
            }
            Answer a = status(id);
            if (a.ok()) {
                f.last = a.body();
                onStatus.accept(f.last);
                if (isFinished(f.last.path("state").asText())) {
                    return f.last;
                }
            }
            Thread.sleep(100);
        }
        throw new IOException("job " + id + " did not finish within " + timeout + "; last status " + f.last);
    }

    /** Downloads the job's ZIP to {@code target}; returns the problem if there is none. */
    public Answer download(String id, Path target) throws IOException, InterruptedException {
        return download(id, target, null, (done, total) -> {});
    }

    /** Bytes received so far and the whole size, for a progress display. */
    public interface Transfer {
        void progress(long done, long total);
    }

    /**
     * Downloads the job's ZIP to {@code target} through {@code target.part}: an interrupted
     * download resumes from the bytes already there (Range; a job's ZIP never changes), and the result
     * is checked against {@code sha256} (the status's result.sha256) before it is renamed into
     * place. A resumed file that fails the check is downloaded once more from the start.
     */
    public Answer download(String id, Path target, String sha256, Transfer transfer) throws IOException, InterruptedException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        for (int attempt = 0; ; attempt++) {
            long have = Files.exists(part) ? Files.size(part) : 0;
            HttpRequest.Builder b = request("/jobs/" + id + "/download").GET();
            if (have > 0 && sha256 != null) {
                b.header("Range", "bytes=" + have + "-");
            }
            HttpResponse<java.io.InputStream> res = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            int code = res.statusCode();
            if (code == 416) { // the part file is already whole (or longer than the ZIP)
                res.body().close();
                if (!verified(part, sha256)) {
                    Files.deleteIfExists(part);
                    continue;
                }
            } else if (code != 200 && code != 206) {
                JsonNode body;
                try (java.io.InputStream in = res.body()) {
                    byte[] bytes = in.readAllBytes();
                    body = bytes.length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(bytes);
                }
                return new Answer(code, body);
            } else {
                boolean append = code == 206;
                long total = res.headers().firstValueAsLong("Content-Length").orElse(-1) + (append ? have : 0);
                long done = append ? have : 0;
                try (java.io.InputStream in = res.body();
                     java.io.OutputStream out = Files.newOutputStream(part, append
                             ? new java.nio.file.OpenOption[] {java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND}
                             : new java.nio.file.OpenOption[] {java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE})) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        out.write(buf, 0, n);
                        done += n;
                        transfer.progress(done, total);
                    }
                }
                if (!verified(part, sha256)) {
                    Files.deleteIfExists(part);
                    if (attempt == 0 && append) {
                        continue; // the bytes we resumed from were not this ZIP's: start over once
                    }
                    return new Answer(502, Json.MAPPER.createObjectNode().put("code", "CHECKSUM_MISMATCH")
                            .put("detail", "the downloaded ZIP does not match its SHA-256 " + sha256));
                }
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Answer(200, Json.MAPPER.createObjectNode().put("size", Files.size(target)).put("resumedFrom", have));
        }
    }

    private static boolean verified(Path file, String sha256) throws IOException {
        if (sha256 == null) {
            return true;
        }
        try (java.io.InputStream in = Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest()).equalsIgnoreCase(sha256);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Answer send(HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<byte[]> res = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        JsonNode body = res.body().length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(res.body());
        return new Answer(res.statusCode(), body);
    }
}
