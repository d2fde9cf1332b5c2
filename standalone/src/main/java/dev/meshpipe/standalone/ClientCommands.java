package dev.meshpipe.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshpipe.common.Json;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The client commands: {@code submit}, {@code status}, {@code download} and {@code cancel}, each
 * talking to any gateway by URL over the HTTP API (docs/api.md). Exit codes: 0 done, 1 the job
 * failed (or was cancelled or expired; its error code is printed), 2 the request was refused or
 * the gateway could not be reached.
 */
final class ClientCommands {
    static final int JOB_FAILED = 1;
    static final int REFUSED = 2;

    private ClientCommands() {}

    /** Where the gateway is and who we are. */
    static final class Server {
        @Option(names = "--server", paramLabel = "URL", description = "gateway URL (default: $MESHPIPE_SERVER or http://localhost:8080)")
        String server = ClientConfig.fromEnv().server();

        @Option(names = "--token", paramLabel = "T", description = "bearer token, where the gateway has access control on (default: $MESHPIPE_TOKEN)")
        String token = ClientConfig.fromEnv().token();

        GatewayClient client() {
            return new GatewayClient(server, token);
        }

        /** Sends one request; a refusal or an unreachable gateway ends the command, an answer goes to {@code then}. */
        int call(Request request, Then then) throws InterruptedException {
            GatewayClient client = client();
            try {
                GatewayClient.Answer a = request.send(client);
                return a.ok() ? then.accept(client, a.body()) : refused(a);
            } catch (IOException e) {
                return unreachable(server, e);
            }
        }
    }

    interface Request {
        GatewayClient.Answer send(GatewayClient client) throws IOException, InterruptedException;
    }

    interface Then {
        int accept(GatewayClient client, JsonNode body) throws IOException, InterruptedException;
    }

    @Command(name = "submit", mixinStandardHelpOptions = true, description = "Submits a volume file (NIfTI-1, .nii or .nii.gz; a DICOM series as a .zip, a folder or one .dcm) or a synthetic spec (sphere:N[:R], torus:N, gyroid:N[:P]) as a job.")
    static final class Submit implements Callable<Integer> {
        @Mixin
        Server server;

        @Parameters(paramLabel = "FILE|SPEC")
        String input;

        @Option(names = "--iso", description = "isovalue: a number or 'auto' (Otsu); default: the volume's own")
        String iso;

        @Option(names = "--borders", description = "closed (default: caps where the object meets the volume's edge) or open")
        String borders;

        @Option(names = "--formats", split = ",", description = "mesh formats, comma-separated: stl,ply,obj,glb,3mf (default: stl,ply,obj,glb)")
        List<String> formats;

        @Option(names = "--space", description = "frame of the STL, PLY, OBJ and 3MF files: ras (default) or lps")
        String space;

        @Option(names = "--name", description = "a name for the job")
        String name;

        @Option(names = "--series", description = "DICOM input with several series: the SeriesInstanceUID or SeriesNumber to mesh")
        String series;

        @picocli.CommandLine.Mixin
        FinishingOptions finish = new FinishingOptions();

        @picocli.CommandLine.Mixin
        LabelMapOptions labelMap = new LabelMapOptions();

        @Option(names = "--callback-url", paramLabel = "URL", description = "when the job ends, the gateway POSTs its status here (a signed completion webhook)")
        String callbackUrl;

        @Option(names = "--wait", description = "follow the job until it ends; exit non-zero with its error code if it fails")
        boolean await;

        @Option(names = "--download", paramLabel = "DIR", description = "when the job succeeds, download its ZIP here (implies --wait)")
        Path download;

        @Option(names = "--timeout", description = "how long --wait waits (default: ${DEFAULT-VALUE})")
        String timeout = "30m";

        /** Every option, parsed and validated before anything is sent. */
        private JobParams checked;

        @Override
        public Integer call() throws Exception {
            // Checked here, so a typo gets the option's own message rather than the gateway's
            // account of the JSON this command would have sent.
            try {
                checked = labelMap.applyTo(finish.applyTo(JobParams.fromText(iso, borders, formats == null ? null : String.join(",", formats), name)
                        .withSpaceAndSeries(space, series))).withCallbackUrl(callbackUrl).validated();
            } catch (MeshpipeException e) {
                System.err.println("meshpipe: " + e.getMessage());
                return REFUSED;
            }
            GatewayClient client = server.client();
            GatewayClient.Answer a;
            try {
                a = submit(client);
            } catch (IOException e) {
                return unreachable(server.server, e);
            }
            if (!a.ok()) {
                return refused(a);
            }
            String id = a.body().path("id").asText();
            System.out.println(id);
            if (!await && download == null) {
                return 0;
            }
            JsonNode s = follow(client, id, name != null ? name : label(input), dev.meshpipe.common.MeshpipeConfig.parseDuration(timeout));
            int code = outcome(s);
            if (code != 0 || download == null) {
                return code;
            }
            return fetch(client, s, download);
        }

        private GatewayClient.Answer submit(GatewayClient client) throws IOException, InterruptedException {
            if (SyntheticVolumes.isSpec(input)) {
                Map<String, Object> params = new LinkedHashMap<>();
                put(params, "iso", iso);
                put(params, "borders", borders);
                put(params, "formats", formats);
                put(params, "space", space);
                put(params, "name", name != null ? name : input);
                put(params, "series", checked.series());
                // Typed as the JSON form wants them (numbers, booleans), from the checked values.
                put(params, "preset", checked.preset());
                put(params, "smoothing", checked.smoothing());
                put(params, "decimate", checked.decimate());
                put(params, "maxError", checked.maxError());
                put(params, "keepLargest", checked.keepLargest());
                put(params, "fillCavities", checked.fillCavities());
                put(params, "minComponentVolume", checked.minComponentVolume());
                putLabelMap(checked, (k, v) -> put(params, k, v));
                put(params, "callbackUrl", checked.callbackUrl());
                return client.submitJson(Map.of("input", Map.of("synthetic", input), "params", params));
            }
            Path file = Path.of(input);
            if (Files.isDirectory(file)) {
                file = zipDirectory(file);
            }
            if (!Files.isRegularFile(file)) {
                throw new java.io.FileNotFoundException(input + ": no such file, and not a synthetic spec");
            }
            Map<String, String> query = new LinkedHashMap<>();
            put(query, "iso", iso);
            put(query, "borders", borders);
            put(query, "formats", formats == null ? null : String.join(",", formats));
            put(query, "space", space);
            put(query, "name", name != null ? name : Path.of(input).getFileName().toString());
            put(query, "series", series);
            finish.putQuery((k, v) -> put(query, k, v));
            putLabelMap(checked, (k, v) -> put(query, k, v == null ? null : String.valueOf(v)));
            put(query, "callbackUrl", checked.callbackUrl());
            return client.upload(file, query);
        }

        /** The label-map fields, from the checked values (the colour table's file already read once). */
        private static void putLabelMap(JobParams p, java.util.function.BiConsumer<String, Object> into) {
            into.accept("mode", p.mode());
            into.accept("labels", p.labels());
            into.accept("minVoxels", p.minVoxels());
            into.accept("colors", p.colors());
        }

        /** A folder of DICOM files goes up as one ZIP, written to a temporary file first. */
        static Path zipDirectory(Path dir) throws IOException {
            Path zip = Files.createTempFile("meshpipe-series-", ".zip");
            zip.toFile().deleteOnExit();
            try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip));
                 var files = Files.walk(dir, 32)) {
                for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                    out.putNextEntry(new java.util.zip.ZipEntry(dir.relativize(p).toString().replace('\\', '/')));
                    Files.copy(p, out);
                    out.closeEntry();
                }
            }
            return zip;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Prints a job's status as JSON.")
    static final class Status implements Callable<Integer> {
        @Mixin
        Server server;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            return server.call(c -> c.status(id), (c, status) -> {
                System.out.println(Json.pretty(status));
                return 0;
            });
        }
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Downloads a finished job's ZIP, resuming an interrupted download and checking its SHA-256.")
    static final class Download implements Callable<Integer> {
        @Mixin
        Server server;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--out", paramLabel = "DIR", description = "where the ZIP goes (default: the current directory)")
        Path out = Path.of(".");

        @Override
        public Integer call() throws Exception {
            return server.call(c -> c.status(id), (c, status) -> fetch(c, status, out));
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancels a job that has not finished.")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        Server server;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws Exception {
            return server.call(c -> c.cancel(id), (c, status) -> {
                System.out.println(id + " " + status.path("state").asText());
                return 0;
            });
        }
    }

    /** Polls the job until it ends, showing its progress; returns its last status. */
    static JsonNode follow(GatewayClient client, String id, String label, Duration timeout) throws IOException, InterruptedException {
        try (JobProgress progress = new JobProgress(System.err)) {
            return client.awaitFinished(id, timeout, status -> progress.update(label, status));
        }
    }

    /** 0 for a SUCCEEDED job; otherwise prints why it did not succeed and returns {@link #JOB_FAILED}. */
    static int outcome(JsonNode s) {
        String state = s.path("state").asText();
        if (state.equals("SUCCEEDED")) {
            return 0;
        }
        JsonNode e = s.path("error");
        System.err.println("meshpipe: job " + s.path("id").asText() + " " + state
                + (e.isMissingNode() ? "" : ": " + e.path("code").asText() + ": " + e.path("message").asText()));
        return JOB_FAILED;
    }

    /** Downloads a SUCCEEDED job's ZIP into {@code dir}, with a progress bar on a terminal. */
    static int fetch(GatewayClient client, JsonNode status, Path dir) throws IOException, InterruptedException {
        String id = status.path("id").asText();
        String sha = status.path("result").path("sha256").asText(null);
        Files.createDirectories(dir);
        Path target = dir.resolve(dev.meshpipe.common.ZipNames.fileName(status.path("name").asText(null), id));
        GatewayClient.Answer a;
        if (System.console() != null) {
            try (ProgressBar bar = new ProgressBarBuilder().setTaskName("download").setUnit(" MiB", 1 << 20)
                    .setInitialMax(status.path("result").path("size").asLong(0)).build()) {
                a = client.download(id, target, sha, (done, total) -> bar.stepTo(done));
            }
        } else {
            a = client.download(id, target, sha, (done, total) -> {});
        }
        if (!a.ok()) {
            return refused(a);
        }
        System.err.println("downloaded " + target + " (" + Files.size(target) + " bytes, SHA-256 verified"
                + (a.body().path("resumedFrom").asLong() > 0 ? ", resumed at byte " + a.body().path("resumedFrom").asLong() : "") + ")");
        return 0;
    }

    static int refused(GatewayClient.Answer a) {
        JsonNode b = a.body();
        System.err.println("meshpipe: " + b.path("title").asText("HTTP " + a.status()) + " (" + a.status() + " "
                + b.path("code").asText("?") + "): " + b.path("detail").asText(""));
        return REFUSED;
    }

    static int unreachable(String server, IOException e) {
        System.err.println("meshpipe: " + (e instanceof java.io.FileNotFoundException ? e.getMessage()
                : "cannot reach the gateway at " + server + ": " + e));
        return REFUSED;
    }

    private static String label(String input) {
        return input.contains("/") ? input.substring(input.lastIndexOf('/') + 1) : input;
    }

    private static <T> void put(Map<String, T> m, String k, T v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
