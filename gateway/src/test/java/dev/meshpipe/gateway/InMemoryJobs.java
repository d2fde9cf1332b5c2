package dev.meshpipe.gateway;

import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobStatus;
import dev.meshpipe.common.events.JobSubmission;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The status store and the topics of a gateway, in memory, for route tests without a broker:
 * every published event is folded into the statuses at once, as the status topology would.
 */
final class InMemoryJobs implements JobStatuses, JobPublisher {
    final Map<String, JobStatus> statuses = new ConcurrentHashMap<>();
    final List<JobSubmission> submissions = new CopyOnWriteArrayList<>();
    final List<JobEvent> events = new CopyOnWriteArrayList<>();
    /** When set, every lookup throws what it supplies: the store restoring, or a bug. */
    volatile Supplier<RuntimeException> failure;

    @Override
    public Optional<JobStatus> get(String id) {
        Supplier<RuntimeException> f = failure;
        if (f != null) {
            throw f.get();
        }
        return Optional.ofNullable(statuses.get(id));
    }

    @Override
    public Usage usage(String tenant) {
        Usage total = new Usage(0, 0);
        for (JobStatus s : statuses.values()) {
            if (Objects.equals(tenant, s.tenant())) {
                total = total.plus(s.state().isFinished() ? new Usage(0, s.result() == null ? 0 : s.result().size()) : new Usage(1, 0));
            }
        }
        return total;
    }

    /** The listing as the index gives it: the query's scope, its states, after its cursor, newest first. */
    @Override
    public List<JobListing.Item> list(JobListing.Query q) {
        Supplier<RuntimeException> f = failure;
        if (f != null) {
            throw f.get();
        }
        return statuses.values().stream()
                .filter(s -> q.scope().equals(JobListing.ALL) || q.scope().equals(JobListing.scopeOf(s.tenant())))
                .filter(s -> q.keeps(s.state()))
                .map(s -> new JobListing.Item(JobListing.at(s), s.id(), s))
                .filter(i -> q.after() == null || JobListing.ORDER.compare(i.position(), q.after()) > 0)
                .sorted(Comparator.comparing(JobListing.Item::position, JobListing.ORDER))
                .limit(q.limit())
                .toList();
    }

    @Override
    public void submission(String id, JobSubmission submission) {
        submissions.add(submission);
    }

    @Override
    public void event(String id, JobEvent event) {
        events.add(event);
        statuses.merge(id, JobStatus.initial(event), (old, fresh) -> old.apply(event));
    }

    /** Puts the job {@code e} names, owned by {@code tenant}, as if {@code e} were its only event. */
    JobStatus put(String tenant, JobEvent e) {
        return put(tenant, e, Instant.now());
    }

    /** The same, submitted at {@code submittedAt}. */
    JobStatus put(String tenant, JobEvent e, Instant submittedAt) {
        JobStatus s = JobStatus.initial(e.withSubmission(tenant, null, submittedAt));
        statuses.put(s.id(), s);
        return s;
    }
}
