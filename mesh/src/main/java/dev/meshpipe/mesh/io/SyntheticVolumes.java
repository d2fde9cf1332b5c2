package dev.meshpipe.mesh.io;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Generated signed-distance volumes for tests, demos and benchmarks. All are N^3 float32 grids with
 * spacing 1, negative inside the object, isovalue 0 by default:
 * <ul>
 *   <li>{@code sphere:N:R} — |x - c| - R, c = (N-1)/2 (R defaults to 0.4 N)</li>
 *   <li>{@code torus:N:R:r} — distance to a ring of radius R in the xy-plane, minus r (defaults 0.3 N, 0.1 N)</li>
 *   <li>{@code gyroid:N:P} — sin x cos y + sin y cos z + sin z cos x with P periods across the grid
 *       (default 2), sampled at voxel centres offset by half a voxel so no sample is exactly 0, scaled
 *       to roughly voxel units; open to the box, so closed borders cap it</li>
 * </ul>
 */
public final class SyntheticVolumes {
    public static final int MAX_N = 2048;

    private SyntheticVolumes() {}

    public static boolean isSpec(String s) {
        String l = s.toLowerCase(Locale.ROOT);
        return l.startsWith("sphere:") || l.startsWith("torus:") || l.startsWith("gyroid:");
    }

    /** Checks a spec without building the volume (cheap enough for ingest and the gateway). */
    public static String validate(String spec, VolumeLimits limits) {
        Parsed p = parse(spec, limits);
        return p.kind + " " + p.n + "^3";
    }

    public static Volume create(String spec, VolumeLimits limits) {
        Parsed p = parse(spec, limits);
        int n = p.n;
        float[] data = new float[n * n * n];
        double c = (n - 1) / 2.0;
        switch (p.kind) {
            case "sphere" -> {
                double r = p.arg(0, 0.4 * n);
                IntStream.range(0, n).parallel().forEach(z -> {
                    for (int y = 0; y < n; y++) {
                        double dz = z - c;
                        double dy = y - c;
                        int row = n * (y + n * z);
                        for (int x = 0; x < n; x++) {
                            double dx = x - c;
                            data[row + x] = (float) (Math.sqrt(dx * dx + dy * dy + dz * dz) - r);
                        }
                    }
                });
            }
            case "torus" -> {
                double big = p.arg(0, 0.3 * n);
                double small = p.arg(1, 0.1 * n);
                IntStream.range(0, n).parallel().forEach(z -> {
                    for (int y = 0; y < n; y++) {
                        int row = n * (y + n * z);
                        for (int x = 0; x < n; x++) {
                            double dx = x - c;
                            double dy = y - c;
                            double q = Math.sqrt(dx * dx + dy * dy) - big;
                            double dz = z - c;
                            data[row + x] = (float) (Math.sqrt(q * q + dz * dz) - small);
                        }
                    }
                });
            }
            case "gyroid" -> {
                double periods = p.arg(0, 2);
                double w = 2 * Math.PI * periods / n;
                double scale = 1 / w; // roughly a distance in voxels near the surface
                IntStream.range(0, n).parallel().forEach(z -> {
                    for (int y = 0; y < n; y++) {
                        int row = n * (y + n * z);
                        for (int x = 0; x < n; x++) {
                            // Half-voxel offsets keep samples off the zero set (the origin is on it).
                            double gx = (x + 0.5) * w;
                            double gy = (y + 0.5) * w;
                            double gz = (z + 0.5) * w;
                            double g = Math.sin(gx) * Math.cos(gy) + Math.sin(gy) * Math.cos(gz) + Math.sin(gz) * Math.cos(gx);
                            data[row + x] = (float) (g * scale);
                        }
                    }
                });
            }
            default -> throw new IllegalStateException(p.kind);
        }
        return new Volume(n, n, n, data, new double[] {1, 1, 1}, Volume.identity(), false, 0.0,
                "synthetic " + spec.toLowerCase(Locale.ROOT));
    }

    private record Parsed(String kind, int n, double[] args) {
        double arg(int i, double dflt) {
            return i < args.length ? args[i] : dflt;
        }
    }

    private static Parsed parse(String spec, VolumeLimits limits) {
        String[] parts = spec.trim().toLowerCase(Locale.ROOT).split(":", -1);
        String kind = parts[0];
        int maxArgs = switch (kind) {
            case "sphere", "gyroid" -> 1;
            case "torus" -> 2;
            default -> throw bad(spec, "unknown shape '" + kind + "' (sphere, torus, gyroid)");
        };
        if (parts.length < 2 || parts.length > 2 + maxArgs) {
            throw bad(spec, "expected " + kind + ":N" + (maxArgs == 1 ? "[:A]" : "[:A[:B]]"));
        }
        int n;
        try {
            n = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw bad(spec, "N must be an integer");
        }
        if (n < 2 || n > MAX_N) {
            throw bad(spec, "N must be between 2 and " + MAX_N);
        }
        long voxels = (long) n * n * n;
        if (voxels > limits.maxVoxels() || voxels > Integer.MAX_VALUE - 8) {
            throw new MeshException(MeshError.VOLUME_TOO_LARGE,
                    "synthetic volume " + n + "^3 = " + voxels + " voxels exceeds the limit of " + limits.maxVoxels() + " voxels");
        }
        double[] args = new double[parts.length - 2];
        for (int i = 0; i < args.length; i++) {
            try {
                args[i] = Double.parseDouble(parts[i + 2]);
            } catch (NumberFormatException e) {
                throw bad(spec, "'" + parts[i + 2] + "' is not a number");
            }
            if (!(args[i] > 0) || !Double.isFinite(args[i])) {
                throw bad(spec, "parameters must be positive");
            }
        }
        return new Parsed(kind, n, args);
    }

    private static MeshException bad(String spec, String why) {
        String s = spec.length() > 60 ? spec.substring(0, 60) + "..." : spec;
        return new MeshException(MeshError.INVALID_PARAMETER, "bad synthetic volume '" + s + "': " + why);
    }
}
