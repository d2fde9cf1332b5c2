package dev.meshpipe.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.JobId;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.Topics;
import dev.meshpipe.common.events.InputRef;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.events.JobSubmission;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Starts the embedded stack, runs a few jobs end to end (over Kafka and over HTTP), "
                + "downloads their ZIPs to ./meshpipe-out/ and prints a summary.")
final class DemoCommand implements Callable<Integer> {
    static final Path CH2 = Path.of("/usr/share/mricron/templates/ch2.nii.gz");
    static final Path AAL = Path.of("/usr/share/mricron/templates/aal.nii.gz");

    @Option(names = "--out", defaultValue = "./meshpipe-out", description = "where ZIPs go (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--size", defaultValue = "128", description = "grid size of the synthetic volumes (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--timeout", defaultValue = "15m", description = "give up after this long (default ${DEFAULT-VALUE})")
    String timeout;

    /** A job of the demo, how it was sent, and what became of it. */
    private static final class Job {
        final String label;
        final String via;
        String id;
        String state = "SUBMITTING";
        int progress;
        String stage = "";
        long started = System.nanoTime();
        double seconds;
        long triangles;
        Boolean watertight;
        long zipSize;
        String error;

        Job(String label, String via) {
            this.label = label;
            this.via = via;
        }
    }

    @Override
    public Integer call() throws Exception {
        Logging.quiet();
        Path data = Files.createTempDirectory("meshpipe-demo-");
        Files.createDirectories(out);
        System.out.println("Starting the embedded stack (Kafka broker, ingest, processor, packager, gateway)...");
        long t0 = System.nanoTime();
        List<Job> jobs = new ArrayList<>();
        try (Stack stack = Stack.start(data, 0, Duration.ofHours(24), "auto")) {
            System.out.printf(Locale.ROOT, "Up in %.1f s: gateway %s, Kafka %s%n%n", (System.nanoTime() - t0) / 1e9,
                    stack.baseUrl(), stack.bootstrapServers());
            GatewayClient client = new GatewayClient(stack.baseUrl());
            jobs.add(submitOverKafka(stack.bootstrapServers(), "sphere:" + size + ":" + Math.round(size * 4) / 10.0));
            jobs.add(submitOverHttp(client, "torus:" + size));
            jobs.add(submitOverHttp(client, "gyroid:" + size + ":2"));
            if (Files.exists(CH2)) {
                jobs.add(uploadOverHttp(client, CH2));
            } else {
                System.out.println("(" + CH2 + " not found: install Debian's mricron-data to mesh a real MRI too)");
            }
            jobs.add(uploadDicomSeries(client, data));
            if (Files.exists(AAL)) {
                jobs.add(uploadLabelMap(client, AAL, AAL.resolveSibling("aal.nii.txt")));
            }
            follow(client, jobs, dev.meshpipe.common.MeshpipeConfig.parseDuration(timeout));
            for (Job j : jobs) {
                if ("SUCCEEDED".equals(j.state)) {
                    Path zip = out.resolve(dev.meshpipe.common.ZipNames.fileName(j.label, j.id));
                    GatewayClient.Answer a = client.download(j.id, zip);
                    if (a.ok()) {
                        j.zipSize = Files.size(zip);
                        j.watertight = watertight(zip);
                    } else {
                        j.state = "DOWNLOAD_FAILED";
                        j.error = a.problem();
                    }
                }
            }
        } finally {
            deleteTree(data);
        }
        printSummary(jobs);
        boolean allOk = jobs.stream().allMatch(j -> "SUCCEEDED".equals(j.state));
        System.out.println(allOk ? "\nAll jobs succeeded. ZIPs are in " + out.toAbsolutePath().normalize()
                : "\nSome jobs did not succeed.");
        return allOk ? 0 : 1;
    }

    private Job submitOverKafka(String bootstrap, String spec) throws Exception {
        Job j = new Job(spec, "kafka");
        j.id = JobId.newId();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            JobSubmission s = new JobSubmission(new InputRef.Synthetic(spec), new JobParams(null, null, null, spec), null, Instant.now());
            producer.send(new ProducerRecord<>(Topics.SUBMITTED, j.id, Json.bytes(s))).get();
        }
        System.out.println("submitted " + spec + " as a Kafka record on " + Topics.SUBMITTED + " -> job " + j.id);
        return j;
    }

    private Job submitOverHttp(GatewayClient client, String spec) throws Exception {
        Job j = new Job(spec, "http");
        GatewayClient.Answer a = client.submitJson(Map.of("input", Map.of("synthetic", spec), "params", Map.of("name", spec)));
        accept(j, a);
        System.out.println("submitted " + spec + " with POST /jobs (JSON) -> job " + j.id);
        return j;
    }

    /** A CT series (a ball of bone, HU) as a ZIP of DICOM files: the DICOM input path end to end. */
    private Job uploadDicomSeries(GatewayClient client, Path data) throws Exception {
        Path zip = data.resolve("ct-ball-series.zip");
        Files.write(zip, dev.meshpipe.mesh.io.dicom.SyntheticDicom.ballSeriesZip(48));
        Job j = new Job("ct-ball-series.zip", "upload");
        GatewayClient.Answer a = client.upload(zip, Map.of("iso", "300", "name", "ct-ball-series.zip"));
        accept(j, a);
        System.out.println("uploaded a 48-slice DICOM CT series with POST /jobs (application/zip, iso 300 HU) -> job " + j.id);
        return j;
    }

    /** The AAL atlas as a label map: one smoothed, named surface per structure, the names from the atlas's own table. */
    private Job uploadLabelMap(GatewayClient client, Path atlas, Path names) throws Exception {
        Job j = new Job(atlas.getFileName().toString(), "upload");
        Map<String, String> query = new java.util.LinkedHashMap<>();
        query.put("mode", "labels");
        query.put("preset", "smooth");
        query.put("name", "aal-labels");
        if (Files.exists(names)) {
            query.put("colors", Files.readString(names));
        }
        GatewayClient.Answer a = client.upload(atlas, query);
        accept(j, a);
        System.out.println("uploaded the AAL atlas as a label map (mode=labels, preset smooth, its names as colors) -> job " + j.id);
        return j;
    }

    private Job uploadOverHttp(GatewayClient client, Path file) throws Exception {
        Job j = new Job(file.getFileName().toString(), "upload");
        GatewayClient.Answer a = client.upload(file, Map.of("iso", "auto", "name", file.getFileName().toString()));
        accept(j, a);
        System.out.println("uploaded " + file + " with POST /jobs (octet-stream) -> job " + j.id);
        return j;
    }

    private static void accept(Job j, GatewayClient.Answer a) {
        if (!a.ok()) {
            j.state = "REJECTED";
            j.error = a.problem();
            j.id = "-";
            return;
        }
        j.id = a.body().path("id").asText();
    }

    /** Polls each job's status, with the client's progress display (bars on a terminal, lines otherwise), until all end. */
    private static void follow(GatewayClient client, List<Job> jobs, Duration timeout) throws Exception {
        System.out.println();
        try (JobProgress display = new JobProgress(System.out)) {
            follow(client, jobs, timeout, display);
        }
    }

    private static void follow(GatewayClient client, List<Job> jobs, Duration timeout, JobProgress display) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean pending = false;
            for (Job j : jobs) {
                if (j.id == null || j.id.equals("-") || finished(j)) {
                    continue;
                }
                GatewayClient.Answer a = client.status(j.id);
                if (!a.ok()) {
                    pending = true;
                    continue;
                }
                JsonNode s = a.body();
                String state = s.path("state").asText();
                int progress = s.path("progress").asInt();
                String stage = s.path("stage").asText("");
                display.update(j.label, s);
                j.state = state;
                j.progress = progress;
                j.stage = stage;
                j.triangles = s.path("triangles").asLong(0);
                if (GatewayClient.isFinished(state)) {
                    j.seconds = (System.nanoTime() - j.started) / 1e9;
                    if (s.has("error")) {
                        j.error = s.path("error").path("code").asText() + ": " + s.path("error").path("message").asText();
                    }
                } else {
                    pending = true;
                }
            }
            if (!pending) {
                return;
            }
            if (System.nanoTime() > end) {
                System.out.println("timed out waiting for jobs");
                return;
            }
            Thread.sleep(200);
        }
    }


    private static boolean finished(Job j) {
        return GatewayClient.isFinished(j.state) || j.state.equals("REJECTED");
    }

    /** Reads quality.json from the downloaded ZIP. */
    private static Boolean watertight(Path zip) throws IOException {
        try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
            for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
                if (e.getName().endsWith("/quality.json")) {
                    com.fasterxml.jackson.databind.JsonNode q = Json.MAPPER.readTree(z.readAllBytes());
                    // A label map's quality.json has figures per structure; every one must be watertight.
                    return q.has("totals") ? q.path("totals").path("allWatertight").asBoolean() : q.path("watertight").asBoolean();
                }
            }
        }
        return null;
    }

    private static void printSummary(List<Job> jobs) {
        System.out.println();
        String fmt = "%-36s  %-22s  %-6s  %-9s  %10s  %-10s  %10s  %17s%n";
        // From submission to the end: time queued behind the other jobs counts too.
        System.out.printf(Locale.ROOT, fmt, "job", "input", "via", "state", "triangles", "watertight", "zip bytes", "s (queued + run)");
        for (Job j : jobs) {
            System.out.printf(Locale.ROOT, fmt, j.id, j.label, j.via, j.state, String.format(Locale.ROOT, "%,d", j.triangles),
                    j.watertight == null ? "-" : j.watertight ? "yes" : "no", String.format(Locale.ROOT, "%,d", j.zipSize),
                    String.format(Locale.ROOT, "%.1f", j.seconds));
            if (j.error != null) {
                System.out.println("    " + j.error);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; the OS cleans it eventually
        }
    }
}
