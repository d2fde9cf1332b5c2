package dev.meshpipe.gateway;

import dev.meshpipe.common.Json;
import dev.meshpipe.common.events.JobStatus;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Asks the gateway instance that owns a partition for what only its store holds, over the
 * internal routes ({@link InternalRoutes}), each call signed. Any failure is 503
 * {@code STATUS_UNAVAILABLE}: the answer is not known, which is never a 404.
 */
final class PeerClient {
    static final String SIGNATURE_HEADER = "X-Meshpipe-Internal-Signature";

    private final UnaryOperator<String> signer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    PeerClient(UnaryOperator<String> signer) {
        this.signer = signer;
    }

    Optional<JobStatus> status(HostInfo owner, String id) {
        HttpResponse<byte[]> res = send(owner, "/internal/status/" + id, id, "the owner of this job's status is unreachable");
        try {
            return switch (res.statusCode()) {
                case 200 -> Optional.of(Json.read(res.body(), JobStatus.class));
                case 404 -> Optional.empty();
                default -> throw StatusStore.unavailable("the owner of this job's status answered " + res.statusCode());
            };
        } catch (IOException e) {
            throw StatusStore.unavailable("the owner of this job's status is unreachable");
        }
    }

    JobStatuses.Usage usage(HostInfo owner, String tenant) {
        String query = tenant == null ? "" : "?tenant=" + URLEncoder.encode(tenant, StandardCharsets.UTF_8);
        HttpResponse<byte[]> res = send(owner, "/internal/usage" + query, usageSubject(tenant), "another instance is unreachable");
        if (res.statusCode() != 200) {
            throw StatusStore.unavailable("another instance answered " + res.statusCode() + " for usage");
        }
        try {
            return Json.read(res.body(), JobStatuses.Usage.class);
        } catch (IOException e) {
            throw StatusStore.unavailable("another instance is unreachable");
        }
    }

    /** A page of the listing from the partitions {@code owner} holds. */
    List<JobListing.Item> list(HostInfo owner, JobListing.Query q) {
        String query = "?scope=" + enc(q.scope()) + "&limit=" + q.limit() + "&state=" + enc(JobListing.formatStates(q.states()))
                + (q.after() == null ? "" : "&cursor=" + q.after().cursor());
        HttpResponse<byte[]> res = send(owner, "/internal/jobs" + query, JobListing.subject(q), "another instance is unreachable");
        if (res.statusCode() != 200) {
            throw StatusStore.unavailable("another instance answered " + res.statusCode() + " for the job list");
        }
        try {
            return List.of(Json.read(res.body(), JobListing.Item[].class));
        } catch (IOException e) {
            throw StatusStore.unavailable("another instance is unreachable");
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The message internal usage calls sign: the tenant, or none. */
    static String usageSubject(String tenant) {
        return "usage:" + (tenant == null ? "" : tenant);
    }

    private HttpResponse<byte[]> send(HostInfo owner, String pathAndQuery, String subject, String unreachable) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + owner.host() + ":" + owner.port() + pathAndQuery))
                .header(SIGNATURE_HEADER, signer.apply(subject))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw StatusStore.unavailable(unreachable);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StatusStore.unavailable("interrupted");
        }
    }
}
