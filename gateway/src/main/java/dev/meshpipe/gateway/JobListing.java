package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JobId;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.JobState;
import dev.meshpipe.common.events.JobStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The job listing's index ({@link #STORE}) and its order. Each status has two index entries:
 * one under its tenant's scope and one under {@link #ALL} (what a gateway without tokens lists).
 * A key is {@code scope \0 (Long.MAX_VALUE - submittedAt millis, 19 digits) \0 id}, so a range
 * scan over one scope gives its jobs newest first, ties by id; the value is the job's state, so
 * a state filter skips jobs without reading their statuses.
 */
final class JobListing {
    static final String STORE = "job-by-tenant";
    /** The scope of every job, whoever owns it. Tenant scopes start with "t/", so none is this one. */
    static final String ALL = "all";
    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;

    /** Newest first, then by id: the order of the index keys, and of every merged page. */
    static final Comparator<Position> ORDER = Comparator.comparingLong(Position::at).reversed().thenComparing(Position::id);

    private JobListing() {}

    /** Where a page starts (after {@code after}, or at the newest job), which states it keeps, and how many. */
    public record Query(String scope, Position after, Set<JobState> states, int limit) {
        boolean keeps(JobState s) {
            return states.isEmpty() || states.contains(s);
        }
    }

    /** A job's place in the listing: its submission time in epoch millis and its id. */
    public record Position(long at, String id) {
        /** The opaque cursor that resumes a listing after this position. */
        String cursor() {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(("1:" + at + ":" + id).getBytes(StandardCharsets.UTF_8));
        }

        /**
         * A cursor read back. It names only a place in the order (a time and an id), never a
         * tenant: the caller's own scope is always the one scanned, so another tenant's cursor
         * only pages the caller's own list.
         */
        static Position ofCursor(String cursor) {
            try {
                String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                String[] parts = s.split(":", 3);
                if (parts.length == 3 && parts[0].equals("1") && JobId.isValid(parts[2])) {
                    long at = Long.parseLong(parts[1]);
                    if (at >= 0) {
                        return new Position(at, parts[2]);
                    }
                }
            } catch (IllegalArgumentException e) {
                // not base64 or not a number: the same answer as any other malformed cursor
            }
            throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "cursor: not a cursor this gateway gave out").with("parameter", "cursor");
        }
    }

    /** One listed job: its place and its status. */
    public record Item(long at, String id, JobStatus status) {
        Position position() {
            return new Position(at, id);
        }
    }

    /** {@code state}: states, comma-separated, any case; none (or blank) is every state. */
    static Set<JobState> parseStates(String text) {
        Set<JobState> out = EnumSet.noneOf(JobState.class);
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            try {
                out.add(JobState.valueOf(part.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "state: unknown state '" + part.trim() + "' (expected "
                        + String.join(", ", Arrays.stream(JobState.values()).map(Enum::name).toList()) + ")").with("parameter", "state");
            }
        }
        return out;
    }

    /** The states as {@link #parseStates} reads them, in one order (what internal calls sign). */
    static String formatStates(Set<JobState> states) {
        return String.join(",", states.stream().sorted().map(Enum::name).toList());
    }

    /** {@code limit}: 1 to {@link #MAX_LIMIT}, {@link #DEFAULT_LIMIT} when absent. */
    static int parseLimit(String text) {
        return parseLimit(text, MAX_LIMIT);
    }

    /** Internal calls ask for one more than a page, to learn whether another page follows. */
    static int parseLimit(String text, int max) {
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below like any other bad limit
        }
        throw new MeshpipeException(ErrorCode.INVALID_PARAMETER, "limit: expected a whole number from 1 to " + max)
                .with("parameter", "limit");
    }

    /** The message an internal listing call signs: everything that decides its answer. */
    static String subject(Query q) {
        return "list:" + q.scope() + "\n" + (q.after() == null ? "" : q.after().cursor()) + "\n" + formatStates(q.states()) + "\n" + q.limit();
    }

    /** The scope a tenant's jobs are indexed under (a null tenant is the empty one). */
    static String scopeOf(String tenant) {
        return "t/" + URLEncoder.encode(tenant == null ? "" : tenant, StandardCharsets.UTF_8);
    }

    /** Where a status sorts: its submission time, else its last update, else the epoch. */
    static long at(JobStatus s) {
        Instant t = s.submittedAt() != null ? s.submittedAt() : s.updatedAt();
        return t == null ? 0 : Math.max(0, t.toEpochMilli());
    }

    static String key(String scope, long at, String id) {
        return scope + '\0' + String.format("%019d", Long.MAX_VALUE - at) + '\0' + id;
    }

    /** The index keys of a status: under every job, and under its tenant. */
    static List<String> keys(JobStatus s) {
        long at = at(s);
        return List.of(key(ALL, at, s.id()), key(scopeOf(s.tenant()), at, s.id()));
    }

    /** The first key a page may hold: the scope's newest, or just past the cursor's job. */
    static String from(Query q) {
        return q.after() == null ? q.scope() + '\0' : key(q.scope(), q.after().at(), q.after().id()) + '\0';
    }

    /** Past the scope's last key: ids and digits never hold \1. */
    static String to(Query q) {
        return q.scope() + '\1';
    }

    /** The place an index key names. */
    static Position positionOf(String key) {
        int a = key.indexOf('\0');
        int b = key.indexOf('\0', a + 1);
        return new Position(Long.MAX_VALUE - Long.parseLong(key.substring(a + 1, b)), key.substring(b + 1));
    }

    /** Pages from several instances (each already in order) merged and cut to {@code limit}. */
    static List<Item> merge(List<List<Item>> parts, int limit) {
        List<Item> all = new ArrayList<>();
        parts.forEach(all::addAll);
        all.sort(Comparator.comparing(Item::position, ORDER));
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
    }
}
