package dev.meshpipe.standalone;

import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobSubmission;
import dev.meshpipe.testsupport.Records;
import dev.meshpipe.testsupport.TopicReader;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code meshpipe up} as a real child JVM, for tests where a crash is the point: it can be
 * killed with SIGKILL ({@link Process#destroyForcibly()}) and started again on the same data.
 */
record ChildStack(Process process, String url, String bootstrap, Path log) {
    static final Pattern UP = Pattern.compile("meshpipe is up: (\\S+) +\\(Kafka at (\\S+),");

    static ChildStack start(Path data, int port, Path log, Map<String, String> env) throws Exception {
        ChildStack s = tryStart(data, port, log, env);
        if (s == null) {
            throw new IllegalStateException("meshpipe up exited: " + Files.readString(log));
        }
        return s;
    }

    /** Starts it; null when the process dies before it is up (a crash while starting). */
    static ChildStack tryStart(Path data, int port, Path log, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), MeshpipeCli.class.getName(),
                "up", "--port", String.valueOf(port), "--data", data.toString(), "--device", "cpu")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        long end = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < end) {
            if (!p.isAlive()) {
                return null;
            }
            Matcher m = UP.matcher(Files.exists(log) ? Files.readString(log) : "");
            if (m.find()) {
                return new ChildStack(p, m.group(1), m.group(2), log);
            }
            Thread.sleep(200);
        }
        p.destroyForcibly();
        throw new IllegalStateException("meshpipe up did not start: " + Files.readString(log));
    }

    /** Publishes jobs {@code prefix-000...} with a synthetic input, as an event producer would. */
    void submit(String prefix, int count, String spec) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(Topics.SUBMITTED, String.format("%s-%03d", prefix, i),
                        Json.bytes(new JobSubmission(new InputRef.Synthetic(spec), null, null, Instant.now()))));
            }
            producer.flush();
        }
    }

    /** Waits until at least {@code n} distinct jobs have a committed completion (or the process dies); returns how many. */
    int awaitCompleted(int n, int seconds) throws Exception {
        int[] done = {0};
        await(seconds, () -> (done[0] = completed(bootstrap)) >= n);
        return done[0];
    }

    interface Check {
        boolean done() throws Exception;
    }

    /** Polls {@code check} until it holds (true), the process dies or time runs out (false). */
    boolean await(int seconds, Check check) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end && process.isAlive()) {
            try {
                if (check.done()) {
                    return true;
                }
            } catch (RuntimeException e) {
                if (!process.isAlive()) {
                    return false; // the broker died with the process
                }
                throw e;
            }
            Thread.sleep(250);
        }
        return false;
    }

    /** How many distinct jobs have a committed completion record. */
    static int completed(String bootstrap) throws IOException {
        return Records.countByKey(TopicReader.readAll(bootstrap, Topics.COMPLETED), null).size();
    }

    /** The result ZIPs in a file object store. */
    static long zips(Path objects) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(objects.resolve("results"))) {
            return s.filter(p -> p.toString().endsWith(".zip")).count();
        }
    }


    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
