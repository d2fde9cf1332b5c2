package dev.meshpipe.gateway;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.events.JobStatus;
import java.util.Optional;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Reads job statuses from the Kafka Streams store; unavailable (503) rather than a wrong 404. */
final class StatusStore {
    private final KafkaStreams streams;

    StatusStore(KafkaStreams streams) {
        this.streams = streams;
    }

    Optional<JobStatus> get(String id) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            throw unavailable();
        }
        try {
            ReadOnlyKeyValueStore<String, JobStatus> store = streams.store(
                    StoreQueryParameters.fromNameAndType(StatusTopology.STORE, QueryableStoreTypes.keyValueStore()));
            return Optional.ofNullable(store.get(id));
        } catch (InvalidStateStoreException e) {
            throw unavailable();
        }
    }

    /** Waits until the store has the job (read-your-writes after a submission). */
    Optional<JobStatus> await(String id, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < end) {
            try {
                Optional<JobStatus> s = get(id);
                if (s.isPresent()) {
                    return s;
                }
            } catch (ProblemException e) {
                // not running yet
            }
            Thread.sleep(20);
        }
        return Optional.empty();
    }

    boolean ready() {
        return streams.state() == KafkaStreams.State.RUNNING;
    }

    private static ProblemException unavailable() {
        return new ProblemException(Problem.of(ErrorCode.STATUS_UNAVAILABLE, "job status is not available yet; try again", null), 2);
    }
}
