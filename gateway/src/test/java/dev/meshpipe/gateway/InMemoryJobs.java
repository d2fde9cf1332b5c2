package dev.meshpipe.gateway;

import dev.meshpipe.common.events.JobEvent;
import dev.meshpipe.common.events.JobStatus;
import dev.meshpipe.common.events.JobSubmission;
import java.time.Instant;
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
        JobStatus s = JobStatus.initial(e.withSubmission(tenant, null, Instant.now()));
        statuses.put(s.id(), s);
        return s;
    }
}
