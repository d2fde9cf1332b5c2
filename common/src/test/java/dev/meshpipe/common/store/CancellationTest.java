package dev.meshpipe.common.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cancel-versus-completion protocol under every interleaving of its four storage steps (the
 * gateway's write and read, the packager's write and read), each run on the real file store with
 * the order forced step by step, not left to timing.
 */
class CancellationTest {
    @TempDir
    Path dir;

    @Test
    void theCancelAndTheCompletionNeverBothWinInAnyOrder() throws Exception {
        for (List<String> order : interleavings()) {
            FileObjectStore files = new FileObjectStore(dir.resolve(String.join("", order)));
            Schedule schedule = new Schedule(order);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<Boolean> cancelWins = pool.submit(() -> Cancellation.request(schedule.as("g", files), "job-1"));
                Future<Boolean> completes = pool.submit(() -> Cancellation.mayComplete(schedule.as("p", files), "job-1"));
                boolean gateway = cancelWins.get(10, TimeUnit.SECONDS);
                boolean packager = completes.get(10, TimeUnit.SECONDS);
                assertFalse(gateway && packager, "both won in the order " + order);
                // Whoever reads second sees the other's marker.
                assertEquals(order.lastIndexOf("g") < order.indexOf("p"), gateway, "the cancel's answer in the order " + order);
                assertEquals(order.lastIndexOf("p") < order.indexOf("g"), packager, "the packager's answer in the order " + order);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Every order of g,g (write, read) and p,p (write, read): six of them. */
    static List<List<String>> interleavings() {
        List<List<String>> out = new ArrayList<>();
        for (int mask = 0; mask < 16; mask++) {
            if (Integer.bitCount(mask) == 2) {
                List<String> order = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    order.add((mask >> i & 1) == 1 ? "g" : "p");
                }
                out.add(order);
            }
        }
        assertEquals(6, out.size());
        return out;
    }

    /** Lets each party's storage steps through only in the scripted order. */
    static final class Schedule {
        private final List<String> order;
        private int next;

        Schedule(List<String> order) {
            this.order = order;
        }

        synchronized <T> T step(String party, IoCall<T> op) throws IOException {
            try {
                while (!order.get(next).equals(party)) {
                    wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            try {
                return op.call();
            } finally {
                next++;
                notifyAll();
            }
        }

        /** The store as one party sees it: its writes and reads wait for their turn. */
        ObjectStore as(String party, ObjectStore inner) {
            return new ObjectStore() {
                @Override
                public Upload create(String key) throws IOException {
                    return inner.create(key);
                }

                @Override
                public void put(String key, byte[] bytes) throws IOException {
                    step(party, () -> {
                        inner.put(key, bytes);
                        return null;
                    });
                }

                @Override
                public InputStream open(String key, long offset, long length) throws IOException {
                    return inner.open(key, offset, length);
                }

                @Override
                public Optional<ObjectInfo> head(String key) throws IOException {
                    return step(party, () -> inner.head(key));
                }

                @Override
                public void delete(String key) throws IOException {
                    inner.delete(key);
                }

                @Override
                public List<ObjectInfo> list(String prefix) throws IOException {
                    return inner.list(prefix);
                }
            };
        }
    }

    interface IoCall<T> {
        T call() throws IOException;
    }
}
