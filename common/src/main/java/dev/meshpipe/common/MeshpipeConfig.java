package dev.meshpipe.common;

import dev.meshpipe.mesh.VolumeLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Configuration of the four services. Each field has an environment variable (documented in
 * docs/configuration.md); the standalone stack fills some in itself. Only configuration classes
 * read the environment (this one, the gateway's options, the CLI client's); everything else is
 * handed what they parsed.
 *
 * @param bootstrapServers  MESHPIPE_KAFKA_BOOTSTRAP
 * @param instanceId        MESHPIPE_INSTANCE_ID: unique per process; names transactional ids
 * @param stateDir          MESHPIPE_STATE_DIR: Kafka Streams state
 * @param storage           MESHPIPE_STORAGE: {@code file:/path} or {@code s3://bucket}
 * @param partitions        MESHPIPE_PARTITIONS: partitions of topics created at start-up
 * @param replication       MESHPIPE_REPLICATION: replication factor of topics created at start-up
 * @param httpPort          MESHPIPE_HTTP_PORT: gateway port
 * @param retention         MESHPIPE_RETENTION: how long results stay downloadable (e.g. 24h)
 * @param maxUploadBytes    MESHPIPE_MAX_UPLOAD_BYTES
 * @param maxVoxels         MESHPIPE_MAX_VOXELS
 * @param processorThreads  MESHPIPE_PROCESSOR_THREADS: concurrent jobs per processor
 * @param device            MESHPIPE_DEVICE: auto, cpu or gpu
 * @param storageRetries    MESHPIPE_STORAGE_RETRIES: attempts at a job while storage fails, before FAILED
 * @param storageBackoff    MESHPIPE_STORAGE_BACKOFF: the first pause between attempts (doubling, at most 30 s)
 * @param inputRetention    MESHPIPE_INPUT_RETENTION: how long uploaded inputs are kept
 * @param dicomMaxFiles     MESHPIPE_DICOM_MAX_FILES: most files a DICOM input may hold
 * @param dedupeWindow      MESHPIPE_DEDUPE_WINDOW: ingest only, how long a job id is remembered to drop repeats
 * @param gpuErrors         MESHPIPE_GPU_ERRORS: processor only, what a GPU error does to a job ({@code cpu}
 *                          or {@code fail}; null for the default, cpu); the processor checks it as it starts
 * @param faultHaltOn       MESHPIPE_FAULT_HALT_ON: processor, reliability tests only: a synthetic spec
 *                          whose job halts the JVM; null (always, outside those tests) for none
 * @param createTopics      MESHPIPE_CREATE_TOPICS: {@code service} creates missing topics as it starts
 */
public record MeshpipeConfig(
        String bootstrapServers,
        String instanceId,
        Path stateDir,
        String storage,
        int partitions,
        short replication,
        int httpPort,
        Duration retention,
        long maxUploadBytes,
        long maxVoxels,
        int processorThreads,
        String device,
        int storageRetries,
        Duration storageBackoff,
        Duration inputRetention,
        int dicomMaxFiles,
        Duration dedupeWindow,
        String gpuErrors,
        String faultHaltOn,
        boolean createTopics) {

    /** Every environment variable meshpipe reads; docs/configuration.md describes each. */
    public static final java.util.List<String> ENV_KEYS = java.util.List.of(
            "MESHPIPE_KAFKA_BOOTSTRAP", "MESHPIPE_INSTANCE_ID", "MESHPIPE_STATE_DIR", "MESHPIPE_STORAGE",
            "MESHPIPE_PARTITIONS", "MESHPIPE_REPLICATION", "MESHPIPE_HTTP_PORT", "MESHPIPE_RETENTION",
            "MESHPIPE_MAX_UPLOAD_BYTES", "MESHPIPE_MAX_VOXELS", "MESHPIPE_PROCESSOR_THREADS", "MESHPIPE_DEVICE",
            "MESHPIPE_STORAGE_RETRIES", "MESHPIPE_STORAGE_BACKOFF", "MESHPIPE_INPUT_RETENTION", "MESHPIPE_DICOM_MAX_FILES",
            "MESHPIPE_CREATE_TOPICS", "MESHPIPE_LOG_LEVEL",
            "MESHPIPE_S3_ENDPOINT", "MESHPIPE_S3_REGION", "MESHPIPE_S3_PATH_STYLE",
            // ingest only: how long a job id is remembered to drop repeats
            "MESHPIPE_DEDUPE_WINDOW",
            // processor only (parsed by GpuMarchingCubes.OnError): what a GPU error does to a job, cpu or fail
            "MESHPIPE_GPU_ERRORS",
            // processor, reliability tests only: a synthetic spec whose job halts the JVM
            "MESHPIPE_FAULT_HALT_ON",
            // gateway only (GatewayOptions)
            "MESHPIPE_ADVERTISED_HOST", "MESHPIPE_STANDBY_REPLICAS", "MESHPIPE_STATUS_RETENTION", "MESHPIPE_AUTH_TOKENS",
            "MESHPIPE_AUTH_TOKENS_FILE", "MESHPIPE_LINK_SECRET", "MESHPIPE_LINK_LIFETIME",
            // gateway only (EdgeLimits)
            "MESHPIPE_HTTP_IDLE_TIMEOUT", "MESHPIPE_MIN_FREE_BYTES", "MESHPIPE_TENANT_MAX_ACTIVE_JOBS",
            "MESHPIPE_TENANT_MAX_STORED_BYTES", "MESHPIPE_MAX_EVENT_STREAMS", "MESHPIPE_TENANT_MAX_EVENT_STREAMS",
            // gateway only (CallbackOptions): completion webhooks
            "MESHPIPE_WEBHOOK_SECRET", "MESHPIPE_CALLBACK_ALLOW_PRIVATE", "MESHPIPE_CALLBACK_ATTEMPTS",
            "MESHPIPE_CALLBACK_BACKOFF", "MESHPIPE_CALLBACK_TIMEOUT");

    public static final long DEFAULT_MAX_UPLOAD_BYTES = 2L * 1024 * 1024 * 1024;
    /** 512 Mi voxels: a 512^3 float32 volume (and its mesh) fits a default heap of a 24 GiB machine. */
    public static final long DEFAULT_MAX_VOXELS = 512L * 1024 * 1024;

    /** Matches {@code meshpipe.jobs.submitted}'s retention, so no record still on that topic can run twice. */
    public static final Duration DEFAULT_DEDUPE_WINDOW = Duration.ofDays(7);

    /** The settings of the stage-specific variables at their defaults: no fault injection, topics created. */
    public MeshpipeConfig(String bootstrapServers, String instanceId, Path stateDir, String storage, int partitions,
                          short replication, int httpPort, Duration retention, long maxUploadBytes, long maxVoxels,
                          int processorThreads, String device, int storageRetries, Duration storageBackoff,
                          Duration inputRetention) {
        this(bootstrapServers, instanceId, stateDir, storage, partitions, replication, httpPort, retention, maxUploadBytes,
                maxVoxels, processorThreads, device, storageRetries, storageBackoff, inputRetention, VolumeLimits.DEFAULT_MAX_FILES,
                DEFAULT_DEDUPE_WINDOW, null, null, true);
    }

    /** The process's own environment. */
    public static MeshpipeConfig fromEnv() {
        return fromEnv(environment());
    }

    /**
     * The process's environment variables, for the configuration parsers that take them as a map
     * (this class's, the gateway's options, the CLI client's). The one place meshpipe reads the
     * environment, so that no other class depends on it.
     */
    public static Map<String, String> environment() {
        return System.getenv();
    }

    public static MeshpipeConfig fromEnv(Map<String, String> env) {
        return new MeshpipeConfig(
                env.getOrDefault("MESHPIPE_KAFKA_BOOTSTRAP", "localhost:9092"),
                env.getOrDefault("MESHPIPE_INSTANCE_ID", hostName()),
                Path.of(env.getOrDefault("MESHPIPE_STATE_DIR", System.getProperty("java.io.tmpdir") + "/meshpipe-state")),
                env.getOrDefault("MESHPIPE_STORAGE", "file:./meshpipe-data/objects"),
                Integer.parseInt(env.getOrDefault("MESHPIPE_PARTITIONS", "6")),
                Short.parseShort(env.getOrDefault("MESHPIPE_REPLICATION", "1")),
                Integer.parseInt(env.getOrDefault("MESHPIPE_HTTP_PORT", "8080")),
                parseDuration(env.getOrDefault("MESHPIPE_RETENTION", "24h")),
                Long.parseLong(env.getOrDefault("MESHPIPE_MAX_UPLOAD_BYTES", String.valueOf(DEFAULT_MAX_UPLOAD_BYTES))),
                Long.parseLong(env.getOrDefault("MESHPIPE_MAX_VOXELS", String.valueOf(DEFAULT_MAX_VOXELS))),
                Integer.parseInt(env.getOrDefault("MESHPIPE_PROCESSOR_THREADS", "1")),
                env.getOrDefault("MESHPIPE_DEVICE", "auto"),
                Integer.parseInt(env.getOrDefault("MESHPIPE_STORAGE_RETRIES", "5")),
                parseDuration(env.getOrDefault("MESHPIPE_STORAGE_BACKOFF", "1s")),
                parseDuration(env.getOrDefault("MESHPIPE_INPUT_RETENTION", "24h")),
                dicomMaxFiles(env.get("MESHPIPE_DICOM_MAX_FILES")),
                env.containsKey("MESHPIPE_DEDUPE_WINDOW") ? parseDuration(env.get("MESHPIPE_DEDUPE_WINDOW")) : DEFAULT_DEDUPE_WINDOW,
                env.get("MESHPIPE_GPU_ERRORS"),
                env.get("MESHPIPE_FAULT_HALT_ON"),
                !"false".equalsIgnoreCase(env.get("MESHPIPE_CREATE_TOPICS")));
    }

    /** Lenient as it always was: blank or not a number is the default, below 1 is 1. */
    static int dicomMaxFiles(String v) {
        try {
            return v == null || v.isBlank() ? VolumeLimits.DEFAULT_MAX_FILES : Math.max(1, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return VolumeLimits.DEFAULT_MAX_FILES;
        }
    }

    /**
     * The readers' limits for the offline {@code mesh} command: the library's defaults with
     * MESHPIPE_DICOM_MAX_FILES, which applies there as in the services.
     */
    public static VolumeLimits readerLimits(Map<String, String> env) {
        return VolumeLimits.defaults().withMaxFiles(dicomMaxFiles(env.get("MESHPIPE_DICOM_MAX_FILES")));
    }

    /** What the services' readers may take: MESHPIPE_MAX_VOXELS and MESHPIPE_DICOM_MAX_FILES. */
    public VolumeLimits volumeLimits() {
        return new VolumeLimits(maxVoxels, VolumeLimits.DEFAULT_MAX_DECOMPRESSED, dicomMaxFiles);
    }

    public MeshpipeConfig withStorageRetries(int retries, Duration backoff) {
        return new MeshpipeConfig(bootstrapServers, instanceId, stateDir, storage, partitions, replication, httpPort, retention,
                maxUploadBytes, maxVoxels, processorThreads, device, retries, backoff, inputRetention, dicomMaxFiles, dedupeWindow,
                gpuErrors, faultHaltOn, createTopics);
    }

    /** Parses {@code 90s}, {@code 15m}, {@code 24h}, {@code 7d}, or an ISO-8601 duration. */
    public static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.startsWith("p")) {
            return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
        }
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        char unit = t.charAt(t.length() - 1);
        long n = Long.parseLong(t.substring(0, t.length() - (Character.isDigit(unit) ? 0 : 1)));
        return switch (unit) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> {
                if (Character.isDigit(unit)) {
                    yield Duration.ofSeconds(n);
                }
                throw new IllegalArgumentException("unknown duration unit in '" + s + "' (use s, m, h or d)");
            }
        };
    }

    private static String hostName() {
        String h = environment().get("HOSTNAME");
        return h != null && !h.isBlank() ? h : "meshpipe-" + ProcessHandle.current().pid();
    }
}
