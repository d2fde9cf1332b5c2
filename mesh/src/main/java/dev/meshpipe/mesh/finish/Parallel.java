package dev.meshpipe.mesh.finish;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a loop over [0, n) in chunks on a pool kept per thread count, so the finishing stages, which
 * call it once per smoothing iteration, never pay for starting threads.
 */
public final class Parallel {
    interface RangeBody {
        void run(int from, int to);
    }

    private static final ConcurrentHashMap<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();
    /** Chunks per thread: enough that a thread slowed by a neighbour does not hold up the barrier. */
    private static final int CHUNKS_PER_THREAD = 8;
    private static final int MIN_CHUNK = 4096;

    private Parallel() {}

    static void forRange(int n, int threads, RangeBody body) {
        int chunks = Math.max(1, Math.min(threads * CHUNKS_PER_THREAD, n / MIN_CHUNK));
        if (threads <= 1 || chunks == 1) {
            body.run(0, n);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
            }
        };
        List<Runnable> workers = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            workers.add(worker);
        }
        runAll(threads, workers);
    }

    interface WorkerBody {
        void run(int worker, int from, int to);
    }

    /**
     * Splits [0, n) into one fixed range per worker, the same ranges for the same thread count, for
     * loops that keep per-worker scratch state (the decimator's passes).
     */
    static void forEachWorker(int n, int threads, WorkerBody body) {
        List<Runnable> workers = new ArrayList<>(threads);
        for (int w = 0; w < threads; w++) {
            int worker = w;
            int lo = (int) ((long) n * w / threads);
            int hi = (int) ((long) n * (w + 1) / threads);
            workers.add(() -> body.run(worker, lo, hi));
        }
        runAll(threads, workers);
    }

    /**
     * Starts one task on the pool kept for this thread count, for work that runs beside a
     * {@link #forRange} on the same pool (which then has a thread fewer until the task ends). The
     * task must not itself wait on that pool.
     */
    static <T> Future<T> submit(int threads, java.util.concurrent.Callable<T> task) {
        return POOLS.computeIfAbsent(threads, ForkJoinPool::new).submit(task);
    }

    /**
     * Runs each of tasks 0 to n - 1 once on the pool kept for this thread count and waits for all,
     * for a few tasks of similar size (the preview's bands) that {@link #forRange}'s chunks of
     * {@value #MIN_CHUNK} would leave on one thread.
     */
    public static void forEachTask(int n, int threads, java.util.function.IntConsumer task) {
        if (threads <= 1 || n <= 1) {
            for (int i = 0; i < n; i++) {
                task.accept(i);
            }
            return;
        }
        List<Runnable> tasks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int index = i;
            tasks.add(() -> task.accept(index));
        }
        runAll(threads, tasks);
    }

    /**
     * Starts work on a thread of its own, for a job's independent stages that run beside each
     * other once the finished mesh exists (its figures, the preview): they may use this class's
     * pools themselves, which {@link #submit}'s tasks must not, and a thread per stage of a job
     * costs nothing next to the stage.
     */
    public static <T> Future<T> start(String name, java.util.concurrent.Callable<T> work) {
        java.util.concurrent.FutureTask<T> task = new java.util.concurrent.FutureTask<>(work);
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    /** A task's result, its own RuntimeException or Error rethrown as it was (see {@link #await}). */
    public static <T> T result(Future<T> task) {
        await(List.of(task));
        try {
            return task.get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e); // await has already waited and rethrown
        }
    }

    /** Runs the workers on the pool kept for this thread count and waits for all of them. */
    private static void runAll(int threads, List<Runnable> workers) {
        ForkJoinPool pool = POOLS.computeIfAbsent(threads, ForkJoinPool::new);
        List<Future<?>> running = new ArrayList<>(workers.size());
        for (Runnable w : workers) {
            running.add(pool.submit(w));
        }
        await(running);
    }

    /**
     * Waits for every task, rethrowing a task's own RuntimeException or Error as it was, so a
     * worker's MeshException reaches the caller with its code.
     */
    public static void await(List<? extends Future<?>> running) {
        try {
            for (Future<?> f : running) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
