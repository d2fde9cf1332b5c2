package dev.meshpipe.mesh.io.dicom;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * A job run on the calling thread and a few plain threads, each told its number. Plain threads and
 * a subclass rather than a parallel stream and lambdas: in a fresh JVM the stream machinery, the
 * common pool and the first lambdas take tens of milliseconds of class loading and linking, as long
 * as parsing the heads of a few hundred files.
 */
abstract class Workers {
    private final Throwable[] failures;
    private volatile boolean failed;

    Workers(int workers) {
        this.failures = new Throwable[workers];
    }

    /** Worker {@code worker}'s part of the job; worker 0 is the calling thread. */
    abstract void work(int worker) throws IOException;

    /** True once a worker has failed, so the others can stop early. */
    final boolean failed() {
        return failed;
    }

    /** How many workers a job of {@code items} independent items is given. */
    static int count(int items) {
        return Math.max(1, Math.min(items, Runtime.getRuntime().availableProcessors()));
    }

    /** Runs every worker and waits for all; the first failure is rethrown as it was. */
    final void run() throws IOException {
        Thread[] threads = new Thread[failures.length - 1];
        for (int w = 1; w < failures.length; w++) {
            threads[w - 1] = new Worker(this, w);
            threads[w - 1].start();
        }
        attempt(0);
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true; // the workers touch the caller's arrays: wait for them regardless
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the DICOM series");
        }
        for (Throwable t : failures) {
            if (t instanceof IOException e) {
                throw e;
            }
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
        }
    }

    private void attempt(int worker) {
        try {
            work(worker);
        } catch (Throwable t) {
            failures[worker] = t;
            failed = true;
        }
    }

    private static final class Worker extends Thread {
        private final Workers job;
        private final int worker;

        Worker(Workers job, int worker) {
            super("meshpipe-dicom-worker");
            setDaemon(true);
            this.job = job;
            this.worker = worker;
        }

        @Override
        public void run() {
            job.attempt(worker);
        }
    }
}
