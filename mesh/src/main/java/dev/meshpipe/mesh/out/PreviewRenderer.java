package dev.meshpipe.mesh.out;

import dev.meshpipe.mesh.Mesh;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A shaded picture of the mesh itself: orthographic view from the front (+y, anterior in RAS world
 * space), a little to the right and above (+z up),
 * z-buffered, Lambert-shaded, rendered at twice the size and averaged down for smooth edges, and
 * framed so the object fills the view.
 */
public final class PreviewRenderer {
    public static final int SIZE = 512;
    private static final int SS = 2;
    /** Bands of rows drawn at once, and the fewest triangles that make a band worth a thread. */
    private static final int BANDS = 4;
    private static final int MIN_TRIANGLES_PER_BAND = 20_000;
    /** The thread count that means the JVM's common pool, as callers that give none have always had. */
    private static final int COMMON_POOL = 0;

    private PreviewRenderer() {}

    public static void writePng(Mesh mesh, OutputStream out) throws IOException {
        Png.write(render(mesh, SIZE), out);
    }

    /** As {@link #writePng(Mesh, OutputStream)}, drawn on the job's {@code threads} (the picture does not depend on them). */
    public static void writePng(Mesh mesh, OutputStream out, int threads) throws IOException {
        Png.write(render(mesh, SIZE, threads), out);
    }

    public static BufferedImage render(Mesh mesh, int size) {
        Canvas canvas = new Canvas(mesh.positions(), size);
        canvas.add(mesh, BONE);
        return canvas.image();
    }

    /** As {@link #render(Mesh, int)}, drawn on the job's {@code threads}. */
    public static BufferedImage render(Mesh mesh, int size, int threads) {
        Canvas canvas = new Canvas(mesh.positions(), size);
        canvas.add(mesh, BONE, false, threads);
        return canvas.image();
    }

    /** Bone, as the web page's 3D view shows a single surface: a white mesh under this light reads as a flat silhouette. */
    public static final int BONE = rgb(0.93, 0.86, 0.76);

    /**
     * One picture of many surfaces, each in its own colour, drawn one at a time into one
     * z-buffer, so a label map's structures need not be in memory together. The view is framed
     * up front from points that bound everything to come (the label map's box in world space).
     */
    public static final class Canvas {
        private final int size;
        private final int w;
        private final double[] d;
        private final double[] right;
        private final double[] up;
        private final double[] light;
        private final double scale;
        private final double cx;
        private final double cy;
        private final float[] depth;
        private final int[] colour;

        /** @param bounds x, y, z of points whose projection frames the view (a mesh's vertices, or a box's corners) */
        public Canvas(float[] bounds, int size) {
            this.size = size;
            this.w = size * SS;
            // Camera basis: looking toward -d, with +z as up.
            d = norm(new double[] {0.6, 0.75, 0.3});
            right = norm(cross(new double[] {0, 0, 1}, d));
            up = cross(d, right);
            light = norm(new double[] {d[0] + 0.3 * up[0] - 0.2 * right[0], d[1] + 0.3 * up[1] - 0.2 * right[1], d[2] + 0.3 * up[2] - 0.2 * right[2]});
            double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
            double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
            for (int v = 0; v + 2 < bounds.length; v += 3) {
                double u = dot(right, bounds, v);
                double vv = dot(up, bounds, v);
                minX = Math.min(minX, u);
                maxX = Math.max(maxX, u);
                minY = Math.min(minY, vv);
                maxY = Math.max(maxY, vv);
            }
            double extent = Math.max(maxX - minX, maxY - minY);
            scale = extent > 0 ? w * 0.9 / extent : 1;
            cx = extent >= 0 ? (minX + maxX) / 2 : 0;
            cy = extent >= 0 ? (minY + maxY) / 2 : 0;
            depth = new float[w * w];
            java.util.Arrays.fill(depth, Float.NEGATIVE_INFINITY);
            colour = new int[w * w];
            java.util.Arrays.fill(colour, -1);
        }

        /** Draws a surface in {@code rgb} (0xRRGGBB), Lambert-shaded, behind or in front of what is there. */
        public void add(Mesh mesh, int rgb) {
            add(mesh, rgb, false);
        }

        /**
         * As {@link #add(Mesh, int)}; when {@code closed} (a watertight surface, wound outward),
         * triangles facing away from the camera are skipped: the surface's own front hides each of
         * them, so the picture is the same but for a pixel at some silhouettes, at half the work.
         */
        public void add(Mesh mesh, int rgb, boolean closed) {
            add(mesh, rgb, closed, COMMON_POOL);
        }

        /**
         * As {@link #add(Mesh, int, boolean)}, its bands of rows drawn on {@code threads} of
         * meshpipe's own pools (finish/Parallel), so a job's preview keeps to the job's thread
         * count instead of the JVM's common pool. The picture does not depend on the bands.
         */
        public void add(Mesh mesh, int rgb, boolean closed, int threads) {
            float[] p = mesh.positions();
            int[] t = mesh.triangles();
            int nv = p.length / 3;
            float[] sx = new float[nv];
            float[] sy = new float[nv];
            float[] sz = new float[nv];
            for (int v = 0; v < nv; v++) {
                sx[v] = (float) ((dot(right, p, 3 * v) - cx) * scale + w / 2.0);
                sy[v] = (float) (w / 2.0 - (dot(up, p, 3 * v) - cy) * scale);
                sz[v] = (float) dot(d, p, 3 * v);
            }
            double r = (rgb >> 16 & 0xff) / 255.0, g = (rgb >> 8 & 0xff) / 255.0, b = (rgb & 0xff) / 255.0;
            // Horizontal bands of the canvas drawn at once, each by one thread going through every
            // triangle in order but drawing only its own rows: a pixel sees the same triangles in
            // the same order as in one pass, so the picture is the same, and a big mesh's preview
            // (about 110k triangles after the print preset) takes half the time on two cores.
            int bands = Math.max(1, Math.min(threads == COMMON_POOL ? BANDS : threads, t.length / (3 * MIN_TRIANGLES_PER_BAND)));
            java.util.function.IntConsumer drawBand = band -> {
                int rowFrom = w * band / bands, rowTo = w * (band + 1) / bands - 1;
                for (int i = 0; i < t.length; i += 3) {
                    int a = t[i], bb = t[i + 1], c = t[i + 2];
                    float top = Math.min(sy[a], Math.min(sy[bb], sy[c])), bottom = Math.max(sy[a], Math.max(sy[bb], sy[c]));
                    if (bottom < rowFrom - 1 || top > rowTo + 1) {
                        continue; // wholly in another band's rows
                    }
                    if (closed && towardCamera(p, 3 * a, 3 * bb, 3 * c) < 0) {
                        continue;
                    }
                    double s = 0.18 + 0.82 * lambert(p, 3 * a, 3 * bb, 3 * c);
                    raster(sx, sy, sz, a, bb, c, w, rowFrom, rowTo, depth, colour, PreviewRenderer.rgb(r * s, g * s, b * s));
                }
            };
            if (threads == COMMON_POOL) {
                java.util.stream.IntStream.range(0, bands).parallel().forEach(drawBand);
            } else {
                dev.meshpipe.mesh.finish.Parallel.forEachTask(bands, threads, drawBand);
            }
        }

        /** The sign of the triangle's normal along the view direction: below 0 when it faces away. */
        private double towardCamera(float[] p, int a, int b, int c) {
            double ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
            double vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
            return (uy * vz - uz * vy) * d[0] + (uz * vx - ux * vz) * d[1] + (ux * vy - uy * vx) * d[2];
        }

        /** |n . light| for the triangle's unit normal n, rounded as {@link Normals#face} rounds it. */
        private double lambert(float[] p, int a, int b, int c) {
            double ux = p[b] - p[a], uy = p[b + 1] - p[a + 1], uz = p[b + 2] - p[a + 2];
            double vx = p[c] - p[a], vy = p[c + 1] - p[a + 1], vz = p[c + 2] - p[a + 2];
            double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
            double len = Math.sqrt(nx * nx + ny * ny + nz * nz);
            if (len == 0) {
                return 0;
            }
            float fx = (float) (nx / len), fy = (float) (ny / len), fz = (float) (nz / len);
            return Math.abs(fx * light[0] + fy * light[1] + fz * light[2]);
        }

        /** The picture at {@code size}, each pixel the mean of its supersamples over a soft background. */
        public BufferedImage image() {
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            // Straight into the image's pixels: setRGB per pixel converts colours through the colour
            // model and cost more than the rest of a small mesh's preview.
            int[] pixels = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double r = 0, g = 0, bl = 0;
                    for (int oy = 0; oy < SS; oy++) {
                        for (int ox = 0; ox < SS; ox++) {
                            int py = y * SS + oy;
                            int c = colour[py * w + x * SS + ox];
                            if (c < 0) {
                                double bg = 0.16 + 0.10 * (1 - py / (double) w);
                                r += bg;
                                g += bg;
                                bl += bg + 0.04;
                            } else {
                                r += (c >> 16 & 0xff) / 255.0;
                                g += (c >> 8 & 0xff) / 255.0;
                                bl += (c & 0xff) / 255.0;
                            }
                        }
                    }
                    int n = SS * SS;
                    pixels[y * size + x] = PreviewRenderer.rgb(r / n, g / n, bl / n);
                }
            }
            return img;
        }

        public void writePng(OutputStream out) throws IOException {
            Png.write(image(), out);
        }
    }

    private static double dot(double[] axis, float[] p, int o) {
        return p[o] * axis[0] + p[o + 1] * axis[1] + p[o + 2] * axis[2];
    }

    /** Draws triangle abc into rows rowFrom..rowTo (inclusive) of the w x w buffers. */
    private static void raster(float[] sx, float[] sy, float[] sz, int a, int b, int c, int w, int rowFrom, int rowTo,
                               float[] depth, int[] colour, int rgb) {
        float x0 = sx[a], y0 = sy[a], x1 = sx[b], y1 = sy[b], x2 = sx[c], y2 = sy[c];
        float area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
        if (area == 0) {
            return;
        }
        int minX = Math.max(0, (int) Math.floor(Math.min(x0, Math.min(x1, x2))));
        int maxX = Math.min(w - 1, (int) Math.ceil(Math.max(x0, Math.max(x1, x2))));
        int minY = Math.max(rowFrom, (int) Math.floor(Math.min(y0, Math.min(y1, y2))));
        int maxY = Math.min(rowTo, (int) Math.ceil(Math.max(y0, Math.max(y1, y2))));
        float inv = 1 / area;
        double sign = Math.signum(area);
        float za = sz[a], zb = sz[b], zc = sz[c];
        for (int y = minY; y <= maxY; y++) {
            float py = y + 0.5f;
            // Only the row's span inside the triangle, found from the three edge functions (each
            // linear in x) with a pixel to spare either side; the test below still decides each
            // pixel. Walking the whole bounding box cost twice as much on a small mesh.
            float at1 = x1 * (y2 - py) - x2 * (y1 - py);
            float at2 = x2 * (y0 - py) - x0 * (y2 - py);
            double[] span = {minX, maxX};
            clipSpan(span, sign * (y1 - y2), sign * at1);
            clipSpan(span, sign * (y2 - y0), sign * at2);
            clipSpan(span, sign * (y0 - y1), sign * (area - at1 - at2));
            int fromX = Math.max(minX, (int) Math.floor(span[0]) - 1);
            int toX = Math.min(maxX, (int) Math.ceil(span[1]) + 1);
            for (int x = fromX; x <= toX; x++) {
                float px = x + 0.5f;
                float w0 = ((x1 - px) * (y2 - py) - (x2 - px) * (y1 - py)) * inv;
                float w1 = ((x2 - px) * (y0 - py) - (x0 - px) * (y2 - py)) * inv;
                float w2 = 1 - w0 - w1;
                if (w0 < 0 || w1 < 0 || w2 < 0) {
                    continue;
                }
                float z = w0 * za + w1 * zb + w2 * zc;
                int idx = y * w + x;
                if (z > depth[idx]) {
                    depth[idx] = z;
                    colour[idx] = rgb;
                }
            }
        }
    }

    /** Narrows span (lo, hi) to where the edge function slope * (x + 0.5) + at0 is not negative. */
    private static void clipSpan(double[] span, double slope, double at0) {
        if (slope > 0) {
            span[0] = Math.max(span[0], -at0 / slope - 0.5);
        } else if (slope < 0) {
            span[1] = Math.min(span[1], -at0 / slope - 0.5);
        } else if (at0 < 0) {
            span[1] = span[0] - 1;
        }
    }

    private static int rgb(double r, double g, double b) {
        return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v * 255)));
    }

    private static double[] cross(double[] a, double[] b) {
        return new double[] {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
    }

    private static double[] norm(double[] v) {
        double l = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        return new double[] {v[0] / l, v[1] / l, v[2] / l};
    }
}
