import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * tools/bench_tiny.sh's reader of the topics, run as a source file against meshpipe.jar:
 * {@code java -cp meshpipe.jar tools/TinyJobsCheck.java BOOTSTRAP JOBS_TSV}.
 *
 * <p>JOBS_TSV has one line per job: {@code id phase postStartMs postEndMs seenMs} (client wall
 * clock, ms). Reads meshpipe.jobs.completed and meshpipe.jobs.events as committed (read_committed)
 * and prints (1) completion records and SUCCEEDED events per job: none lost, none twice; (2) for
 * the "seq" jobs, the median time between the stamps the stages leave on their events.
 */
public class TinyJobsCheck {
    record Job(String id, String phase, long postStart, long postEnd, long seen) {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        List<Job> jobs = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(args[1]))) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 5) {
                jobs.add(new Job(f[0], f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])));
            }
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, Integer> completions = new HashMap<>();
        Map<String, Integer> succeeded = new HashMap<>();
        Map<String, Map<String, Long>> stamps = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : readAll(bootstrap, "meshpipe.jobs.completed")) {
            completions.merge(r.key(), 1, Integer::sum);
        }
        for (ConsumerRecord<String, byte[]> r : readAll(bootstrap, "meshpipe.jobs.events")) {
            if (r.value() == null) {
                continue;
            }
            JsonNode e = json.readTree(r.value());
            String state = e.path("state").asText();
            String stage = e.path("stage").asText();
            if (state.equals("SUCCEEDED")) {
                succeeded.merge(r.key(), 1, Integer::sum);
            }
            long at = Instant.parse(e.path("at").asText()).toEpochMilli();
            // The first of each: a repeated progress event changes nothing.
            stamps.computeIfAbsent(r.key(), k -> new HashMap<>()).putIfAbsent(state + "/" + stage, at);
        }
        int lost = 0, twice = 0, lostEvents = 0, twiceEvents = 0;
        for (Job j : jobs) {
            int c = completions.getOrDefault(j.id(), 0), s = succeeded.getOrDefault(j.id(), 0);
            lost += c == 0 ? 1 : 0;
            twice += c > 1 ? 1 : 0;
            lostEvents += s == 0 ? 1 : 0;
            twiceEvents += s > 1 ? 1 : 0;
        }
        System.out.printf("exactly once: %d jobs; completion records: %d missing, %d more than once; SUCCEEDED events: %d missing, %d more than once%n",
                jobs.size(), lost, twice, lostEvents, twiceEvents);

        // Stage stamps: the gateway's QUEUED, ingest's QUEUED, the processor's first progress
        // (consumed), its meshed event (before its commit), the packager's PACKAGING (consumed),
        // SUCCEEDED (before its commit); the client's POST and first sight of SUCCEEDED.
        String[][] marks = {
                {"POST sent", null}, {"gateway QUEUED written", "QUEUED/submitted"},
                {"POST answered", null}, {"ingest consumed (QUEUED)", "QUEUED/queued"},
                {"processor consumed", "PROCESSING/loading volume"}, {"meshed (before commit)", "PROCESSING/meshed"},
                {"packager consumed", "PACKAGING/packaging"}, {"packaged (before commit)", "SUCCEEDED/done"},
                {"SUCCEEDED seen by GET", null}};
        Map<String, List<Long>> deltas = new LinkedHashMap<>();
        for (Job j : jobs) {
            if (!j.phase().equals("seq")) {
                continue;
            }
            Map<String, Long> s = stamps.getOrDefault(j.id(), Map.of());
            long[] t = new long[marks.length];
            boolean complete = true;
            for (int i = 0; i < marks.length; i++) {
                Long v = switch (i) {
                    case 0 -> j.postStart();
                    case 2 -> j.postEnd();
                    case 8 -> j.seen();
                    default -> s.get(marks[i][1]);
                };
                if (v == null) {
                    complete = false;
                    break;
                }
                t[i] = v;
            }
            if (!complete) {
                continue;
            }
            // The POST's answer overlaps ingest; the chain runs through the QUEUED stamps.
            int[] chain = {0, 1, 3, 4, 5, 6, 7, 8};
            for (int k = 1; k < chain.length; k++) {
                deltas.computeIfAbsent(marks[chain[k - 1]][0] + " -> " + marks[chain[k]][0], x -> new ArrayList<>())
                        .add(t[chain[k]] - t[chain[k - 1]]);
            }
            deltas.computeIfAbsent("POST sent -> POST answered", x -> new ArrayList<>()).add(t[2] - t[0]);
            deltas.computeIfAbsent("total: POST sent -> SUCCEEDED seen", x -> new ArrayList<>()).add(t[8] - t[0]);
        }
        if (!deltas.isEmpty()) {
            System.out.println("stages of the sequential jobs (ms; wall clock of one machine; p50 / p90 over "
                    + deltas.values().iterator().next().size() + " jobs):");
            for (Map.Entry<String, List<Long>> e : deltas.entrySet()) {
                List<Long> v = e.getValue().stream().sorted().collect(Collectors.toList());
                System.out.printf("  | %-58s | %5d | %5d |%n", e.getKey(), v.get(v.size() / 2), v.get(Math.min(v.size() - 1, v.size() * 9 / 10)));
            }
        }
        System.exit(lost + twice + lostEvents + twiceEvents == 0 ? 0 : 1);
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.currentTimeMillis() + 60_000;
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
