package dev.meshpipe.mesh.finish;

import dev.meshpipe.mesh.Mesh;
import java.util.Arrays;

/**
 * Quadric-error-metric decimation (Garland and Heckbert) that keeps a closed manifold closed and
 * manifold.
 *
 * <p><b>Error.</b> Every triangle contributes its plane's quadric, weighted by its area, to its
 * three vertices; an edge collapse adds the two quadrics and places the merged vertex where their
 * sum is smallest (a 3x3 solve; when that system is near singular, or its solution lies further
 * than the edge's length from the edge's midpoint, the best of the two endpoints and the midpoint).
 * Collapses are taken cheapest first by that area-weighted error. {@code maxErrorMm} bounds the
 * area-weighted root mean square distance from the new position to the planes of all the original
 * triangles the merged vertex stands for, {@code sqrt(Q(p) / sum of areas)}: a collapse above it is
 * never taken. It is not a bound on the Hausdorff distance (a few planes can lie further away than
 * the mean), but it follows it: the tests measure both.
 *
 * <p><b>Refused collapses.</b> A collapse of edge (a, b) is refused when
 * <ul>
 *   <li>a and b share any neighbour other than the two vertices opposite the edge (the link
 *       condition: the collapse would make a non-manifold edge or vertex, or pinch a handle);</li>
 *   <li>the merged vertex would have fewer than three triangles around it (a closed component
 *       never shrinks below a tetrahedron);</li>
 *   <li>a triangle that survives the collapse would turn by more than about 72 degrees (the cosine
 *       between its normals before and after is below {@link #MIN_NORMAL_COSINE}: a flip or a fold),
 *       or would become degenerate;</li>
 *   <li>a triangle that survives would end with a quality {@code 4 sqrt(3) area / (sum of squared
 *       edge lengths)} (1 for an equilateral triangle, 0 for a degenerate one) below
 *       {@link #MIN_QUALITY} and below its own quality before the collapse: a collapse never makes
 *       a sliver, though slivers the input already has may stay as they are.</li>
 * </ul>
 *
 * <p><b>Open borders and odd input.</b> A vertex on an open border (its triangles form one fan
 * that does not close) is never removed and never moves: an inside vertex may merge into it,
 * which changes no border edge, and two border vertices are never merged, so holes neither close
 * nor open and the border stays exactly where it was. A vertex whose triangles are not one
 * consistently oriented fan (a non-manifold edge or vertex, flipped neighbours, a triangle that
 * repeats a vertex) takes part in no collapse at all, so whatever is wrong there is left as it was
 * and not made worse.
 *
 * <p><b>Order and speed.</b> Work goes in passes, as in the fast batched simplifiers: each pass
 * updates, in parallel, the cost of every edge with an end that changed, takes the cheapest fifth
 * of the candidate edges (fewer when the target is near) by a histogram of costs, and tries them in
 * memory order, which keeps neighbours in cache. An edge with an end that already merged in the
 * pass is costed again and taken only if it is still under the pass's threshold. The mesh is cut
 * into slabs across its longest axis and the slabs are worked in parallel: a collapse is taken only
 * when both ends and all their neighbours are in the slab, and the slabs shift by half their
 * thickness every other pass; near the target one slab covers everything, so the count stops
 * exactly there. An edge that was refused is left out until one of its ends changes; before giving
 * up, one pass costs every edge again. When the error bound or the checks, not the target, hold
 * the mesh back, the last collapses come a handful per pass: after four passes in a row that
 * each collapse under 1/2000 of the triangles, every edge is costed again, or decimation stops if
 * the collapses since the last such pass were under 1/200 of the triangles (an error bound alone
 * may then leave a few percent more triangles than a run to exhaustion would). Each vertex's triangles are a list in one shared array;
 * a merged vertex's list is rewritten into its slab's stretch at the end of that array, and all
 * lists are built again from the triangles, in the same array, when it is full; dead triangles are
 * dropped, in place, once half are gone. Fresh arrays are avoided where they can be: on a cold JVM
 * their first touch cost more than the work done in them. The
 * result does not depend on the number of threads.
 */
public final class QuadricDecimator {
    /** Smallest cosine between a surviving triangle's normal before and after a collapse. */
    public static final double MIN_NORMAL_COSINE = 0.3;
    /** Quality {@code 4 sqrt(3) area / sum of squared edge lengths} below which a collapse may not push a triangle. */
    public static final double MIN_QUALITY = 0.02;
    /** Share of the candidate edges, cheapest first, that one pass tries. */
    static final double PASS_FRACTION = 0.2;

    private QuadricDecimator() {}

    /**
     * What to decimate to. Decimation stops at whichever comes first: the triangle count reaches
     * the larger of {@code targetFraction} times the input's count and {@code targetTriangles}, or
     * no collapse is left within {@code maxErrorMm} (or the checks refuse every one left).
     *
     * @param targetFraction  in (0, 1], or 0 when unused
     * @param targetTriangles above 0, or 0 when unused
     * @param maxErrorMm      above 0, or {@link Double#POSITIVE_INFINITY} when unbounded: the largest
     *                        area-weighted RMS distance (mm) from a merged vertex to the planes of the
     *                        original triangles it stands for (see the class comment)
     */
    public record Options(double targetFraction, long targetTriangles, double maxErrorMm) {
        public Options {
            if (!(targetFraction >= 0 && targetFraction <= 1)) {
                throw new IllegalArgumentException("targetFraction must be in (0, 1], or 0 when unused: " + targetFraction);
            }
            if (targetTriangles < 0) {
                throw new IllegalArgumentException("targetTriangles must be positive, or 0 when unused: " + targetTriangles);
            }
            if (!(maxErrorMm > 0)) {
                throw new IllegalArgumentException("maxErrorMm must be above 0 (infinity when unbounded): " + maxErrorMm);
            }
        }

        /** A fraction of the triangles, error unbounded. */
        public static Options fraction(double targetFraction) {
            return new Options(targetFraction, 0, Double.POSITIVE_INFINITY);
        }

        /** As far as {@code maxErrorMm} allows. */
        public static Options errorBound(double maxErrorMm) {
            return new Options(0, 0, maxErrorMm);
        }

        long targetFor(long triangles) {
            long byFraction = targetFraction > 0 ? (long) Math.ceil(targetFraction * triangles) : 0;
            return Math.max(byFraction, targetTriangles);
        }
    }

    /**
     * @param collapses  edge collapses taken
     * @param refused    collapses the checks refused (an edge refused in several passes counts each time)
     * @param maxErrorMm the largest error, as bounded by {@link Options#maxErrorMm}, of any collapse taken
     */
    public record Result(Mesh mesh, long trianglesBefore, long trianglesAfter, long collapses, long refused, double maxErrorMm) {}

    public static Result decimate(Mesh mesh, Options options, int threads) {
        long before = mesh.triangleCount();
        long target = options.targetFor(before);
        if (before == 0 || target >= before) {
            return new Result(mesh, before, before, 0, 0, 0);
        }
        Engine e = new Engine(mesh, Math.max(1, threads), options.maxErrorMm());
        e.run(target);
        Mesh out = e.output();
        keepArrays(e);
        return new Result(out, before, out.triangleCount(), e.collapses, e.refused, Math.sqrt(e.maxRms2));
    }

    /** Whether the checks allow collapsing edge (u, v) of {@code mesh} as a first step (for tests). */
    static boolean collapseAllowed(Mesh mesh, int u, int v) {
        Engine e = new Engine(mesh, 1, Double.POSITIVE_INFINITY);
        Block block = new Block(e, (short) 0);
        byte ku = e.kind[u];
        byte kv = e.kind[v];
        if (ku >= Engine.FROZEN || kv >= Engine.FROZEN || ku == Engine.BORDER && kv == Engine.BORDER) {
            return false;
        }
        int a = ku == Engine.BORDER ? u : kv == Engine.BORDER ? v : u;
        int b = a == u ? v : u;
        if (block.linkAllows(a, b) != Block.TAKEN) {
            return false;
        }
        double[] r = e.placement(u, v, new double[Engine.PLACEMENT]);
        return block.shapesAllow(a, b, r[0], r[1], r[2]);
    }

    /** Timings of the last decimation's phases in this thread, for the benchmark. */
    static final ThreadLocal<long[]> PHASE_NANOS = ThreadLocal.withInitial(() -> new long[9]);
    /** Phase clock for the benchmark: this thread's CPU time when {@code qd.cpuclock} is set (one thread, a loaded machine). */
    private static final boolean CPU_CLOCK = Boolean.getBoolean("qd.cpuclock");

    private static long clock() {
        return CPU_CLOCK ? java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() : System.nanoTime();
    }

    static final ThreadLocal<int[]> PASSES = ThreadLocal.withInitial(() -> new int[1]);
    static final ThreadLocal<long[]> REFUSALS = ThreadLocal.withInitial(() -> new long[4]);

    /** Gives the engine's largest arrays back for the next decimation ({@link KeptArrays}). */
    private static void keepArrays(Engine e) {
        KeptArrays.give(KeptArrays.DECIMATION_TRIANGLES, e.tri);
        KeptArrays.give(KeptArrays.DECIMATION_REFS, e.refs);
        KeptArrays.give(KeptArrays.DECIMATION_POSITIONS, e.pos);
        KeptArrays.give(KeptArrays.DECIMATION_QUADRICS, e.quad);
        KeptArrays.give(KeptArrays.DECIMATION_COSTS, e.cost);
    }

    private static final class Engine {
        static final byte INTERIOR = 0;
        static final byte BORDER = 1;
        static final byte FROZEN = 2;
        static final byte REMOVED = 3;
        /** Cost bins: a float's bits without its sign and low 16 bits, about 1/128 of the cost wide. */
        static final int BINS = 1 << 15;

        /** Slabs collapsed in parallel; fixed, so the result is the same for any thread count. */
        static final int BLOCKS = 8;
        /** Below this many collapses still to go, one range: the last ones stop exactly at the target. */
        static final long SEQUENTIAL_BELOW = 4096;
        static final int BIN_SHIFT = 16;
        /** A pass is slow when it collapses under 1/SLOW_PASS of the triangles left (and under half of what the target needs). */
        static final long SLOW_PASS = 2000;
        /** Slow passes in a row after which the edges are all costed again, or decimation stops. */
        static final int SLOW_PASSES = 4;
        /** Stop rather than cost every edge again when the collapses since the last time were under 1/TAIL of the triangles. */
        static final long TAIL = 200;

        final int nv;
        final int nt;
        final int threads;
        final double bound2;
        /** Vertex positions, as floats like the output's: quadrics are about each vertex, so no centring is needed for precision. */
        final float[] pos;
        /**
         * Per vertex: a2 ab ac ad b2 bc bd c2 cd d2 of the summed plane quadrics, about the
         * vertex's own position: there the terms are as small as the distances that matter, so
         * floats hold them (about the mesh's middle they took doubles, twice the memory).
         */
        final float[] quad;
        /** Per vertex: the summed area behind its quadric. */
        final float[] weight;
        /** Length of {@link #placement}'s result array: x, y, z, error, then room for the summed quadric. */
        static final int PLACEMENT = 14;
        /** Three vertices per triangle; all -1 once the triangle is gone. */
        int[] tri;
        /** Triangles in {@link #tri}, alive or not. */
        int ntri;
        final byte[] kind;
        /** The last pass in which the vertex was the survivor of a collapse. */
        final int[] stamp;
        /** Per corner 3t+k: the cost of the edge from that corner to the next one, +Inf when it is no candidate. */
        float[] cost;
        /** The block that owns each vertex in the current pass. */
        final short[] owner;
        /** The axis along which blocks are slabs: the mesh's longest. */
        final int axis;
        final double axisMin;
        final double axisLength;
        final int[] fanStart;
        final int[] fanCount;
        /** Corner ids (3t+k with tri[3t+k] the vertex) of each vertex's triangles; dead ones are skipped. */
        int[] refs;
        int refsEnd;
        /** This pass's candidate corners, from {@link #gather}; grown as needed (a pass takes about a fifth of the edges). */
        int[] cand = new int[0];
        /** Errors below this are this pass's candidates. */
        double passThreshold;
        /** Refusals by check: link, valence, normal, quality. */
        final long[] refusedBy = new long[4];
        long alive;
        long collapses;
        long refused;
        double maxRms2;

        Engine(Mesh mesh, int threads, double maxErrorMm) {
            long t0 = clock();
            this.threads = threads;
            this.bound2 = maxErrorMm * maxErrorMm;
            float[] p = mesh.positions();
            nv = mesh.vertexCount();
            nt = mesh.triangleCount();
            tri = KeptArrays.ints(KeptArrays.DECIMATION_TRIANGLES, 3 * nt);
            System.arraycopy(mesh.triangles(), 0, tri, 0, 3 * nt);
            double[] min = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
            double[] max = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
            for (int i = 0; i < p.length; i += 3) {
                for (int a = 0; a < 3; a++) {
                    min[a] = Math.min(min[a], p[i + a]);
                    max[a] = Math.max(max[a], p[i + a]);
                }
            }
            pos = KeptArrays.floats(KeptArrays.DECIMATION_POSITIONS, p.length);
            System.arraycopy(p, 0, pos, 0, p.length);
            int longest = 0;
            for (int a = 1; a < 3; a++) {
                if (max[a] - min[a] > max[longest] - min[longest]) {
                    longest = a;
                }
            }
            axis = longest;
            axisMin = min[longest];
            axisLength = Math.max(max[longest] - min[longest], 1e-30);
            owner = new short[nv];
            quad = KeptArrays.floats(KeptArrays.DECIMATION_QUADRICS, 10 * nv);
            weight = new float[nv];
            kind = new byte[nv];
            stamp = new int[nv];
            Arrays.fill(stamp, -1);
            cost = KeptArrays.floats(KeptArrays.DECIMATION_COSTS, 3 * nt);
            fanStart = new int[nv];
            fanCount = new int[nv];
            alive = nt;
            ntri = nt;
            buildFans(0);
            long t1 = clock();
            forEachRange(nv, (w, lo, hi) -> {
                int[] from = new int[16];
                int[] to = new int[16];
                for (int v = lo; v < hi; v++) {
                    sumQuadric(v);
                    if (fanCount[v] > from.length) {
                        from = new int[2 * fanCount[v]];
                        to = new int[2 * fanCount[v]];
                    }
                    kind[v] = classify(v, from, to);
                }
            });
            long[] ph = PHASE_NANOS.get();
            Arrays.fill(ph, 0);
            ph[0] = t1 - t0;
            ph[1] = clock() - t1;
        }

        /**
         * Vertex to corner lists of the live triangles, in one array with room to rewrite lists at
         * its end (at least {@code room} entries). The lists are built again from {@link #tri}
         * rather than copied from the old ones, so they are written into the same array: a fresh
         * array is memory the system has to hand over page by page, which cost more here than
         * the whole rebuild (on ch2 the first touch of a fresh array took about 3 ms per MB).
         */
        private void buildFans(long room) {
            int n = 3 * ntri;
            Arrays.fill(fanCount, 0);
            for (int c = 0; c < n; c++) {
                int v = tri[c];
                if (v >= 0) {
                    fanCount[v]++;
                }
            }
            int s = 0;
            for (int v = 0; v < nv; v++) {
                fanStart[v] = s;
                s += fanCount[v];
            }
            if (refs == null) {
                refs = KeptArrays.ints(KeptArrays.DECIMATION_REFS, 0);
            }
            if (refs.length < s + room) {
                long size = Math.max(2L * n, s + room + n / 2) + 1024;
                if (size > Integer.MAX_VALUE - 16) {
                    throw new IllegalStateException("mesh too large to decimate: " + size + " triangle corners");
                }
                refs = new int[(int) size];
            }
            // fanCount counts up again as the lists fill: it ends where it started.
            Arrays.fill(fanCount, 0);
            for (int c = 0; c < n; c++) {
                int v = tri[c];
                if (v >= 0) {
                    refs[fanStart[v] + fanCount[v]++] = c;
                }
            }
            refsEnd = s;
        }

        static int next(int c) {
            int k = c % 3;
            return k == 2 ? c - 2 : c + 1;
        }

        static int prev(int c) {
            int k = c % 3;
            return k == 0 ? c + 2 : c - 1;
        }

        /**
         * Sums the area-weighted plane quadrics of v's triangles about v: every plane goes
         * through v, so only the a2 .. c2 terms are not zero.
         */
        private void sumQuadric(int v) {
            double a2 = 0, ab = 0, ac = 0, b2 = 0, bc = 0, c2 = 0, w = 0;
            for (int i = fanStart[v], e = i + fanCount[v]; i < e; i++) {
                int base = refs[i] - refs[i] % 3;
                int i0 = 3 * tri[base], i1 = 3 * tri[base + 1], i2 = 3 * tri[base + 2];
                double ux = pos[i1] - pos[i0], uy = pos[i1 + 1] - pos[i0 + 1], uz = pos[i1 + 2] - pos[i0 + 2];
                double vx = pos[i2] - pos[i0], vy = pos[i2 + 1] - pos[i0 + 1], vz = pos[i2 + 2] - pos[i0 + 2];
                double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
                double len = Math.sqrt(nx * nx + ny * ny + nz * nz);
                if (len == 0) {
                    continue;
                }
                // area * n n^T with n = (nx, ny, nz) / len and area = len / 2.
                double k = 0.5 / len;
                a2 += k * nx * nx;
                ab += k * nx * ny;
                ac += k * nx * nz;
                b2 += k * ny * ny;
                bc += k * ny * nz;
                c2 += k * nz * nz;
                w += len / 2;
            }
            int q = 10 * v;
            quad[q] = (float) a2;
            quad[q + 1] = (float) ab;
            quad[q + 2] = (float) ac;
            quad[q + 4] = (float) b2;
            quad[q + 5] = (float) bc;
            quad[q + 7] = (float) c2;
            quad[q + 3] = quad[q + 6] = quad[q + 8] = quad[q + 9] = 0;
            weight[v] = (float) w;
        }

        /**
         * The quadrics of u and v summed about u's position into {@code s[4..13]}: v's moves by
         * t = pos(u) - pos(v), Q(q + t) = q'Aq + 2(At + b)'q + Q(t).
         */
        private void sumAbout(int u, int v, double[] s) {
            int qu = 10 * u;
            int qv = 10 * v;
            int iu = 3 * u;
            int iv = 3 * v;
            double tx = pos[iu] - pos[iv], ty = pos[iu + 1] - pos[iv + 1], tz = pos[iu + 2] - pos[iv + 2];
            double a2 = quad[qv], ab = quad[qv + 1], ac = quad[qv + 2], ad = quad[qv + 3];
            double b2 = quad[qv + 4], bc = quad[qv + 5], bd = quad[qv + 6];
            double c2 = quad[qv + 7], cd = quad[qv + 8], d2 = quad[qv + 9];
            s[4] = quad[qu] + a2;
            s[5] = quad[qu + 1] + ab;
            s[6] = quad[qu + 2] + ac;
            s[7] = quad[qu + 3] + a2 * tx + ab * ty + ac * tz + ad;
            s[8] = quad[qu + 4] + b2;
            s[9] = quad[qu + 5] + bc;
            s[10] = quad[qu + 6] + ab * tx + b2 * ty + bc * tz + bd;
            s[11] = quad[qu + 7] + c2;
            s[12] = quad[qu + 8] + ac * tx + bc * ty + c2 * tz + cd;
            s[13] = quad[qu + 9] + qerr(a2, ab, ac, ad, b2, bc, bd, c2, cd, d2, tx, ty, tz);
        }

        /**
         * INTERIOR when v's triangles form one closed, consistently oriented fan; BORDER when they
         * form one open fan; REMOVED when v has none; FROZEN otherwise.
         */
        private byte classify(int v, int[] from, int[] to) {
            int n = fanCount[v];
            if (n == 0) {
                return REMOVED;
            }
            for (int j = 0; j < n; j++) {
                int c = refs[fanStart[v] + j];
                from[j] = tri[next(c)];
                to[j] = tri[prev(c)];
                if (from[j] == v || to[j] == v || from[j] == to[j]) {
                    return FROZEN;
                }
            }
            // Each neighbour at most once as a fan triangle's first and once as its last vertex.
            int starts = -1;
            int ends = 0;
            for (int j = 0; j < n; j++) {
                boolean asTo = false;
                boolean asFrom = false;
                for (int k = 0; k < n; k++) {
                    if (k != j && from[k] == from[j] || k != j && to[k] == to[j]) {
                        return FROZEN;
                    }
                    asTo |= to[k] == from[j];
                    asFrom |= from[k] == to[j];
                }
                if (!asTo) {
                    if (starts >= 0) {
                        return FROZEN;
                    }
                    starts = j;
                }
                if (!asFrom) {
                    ends++;
                }
            }
            if (ends != (starts >= 0 ? 1 : 0)) {
                return FROZEN;
            }
            // Walk the fan from its start (or any triangle when closed): one walk must cover it.
            int j = Math.max(starts, 0);
            for (int step = 1; step < n; step++) {
                int nextJ = -1;
                for (int k = 0; k < n; k++) {
                    if (from[k] == to[j]) {
                        nextJ = k;
                        break;
                    }
                }
                if (nextJ < 0 || nextJ == Math.max(starts, 0)) {
                    return FROZEN;
                }
                j = nextJ;
            }
            if (starts < 0) {
                return to[j] == from[0] ? INTERIOR : FROZEN;
            }
            return BORDER;
        }

        void run(long target) {
            long t0 = clock();
            long costNanos = 0;
            long applyNanos = 0;
            long gatherNanos = 0;
            long reserveNanos = 0;
            long compactNanos = 0;
            // Per worker, per block: candidates per cost bin.
            int[][] hist = new int[threads][(BLOCKS + 1) * BINS];
            boolean force = true;
            boolean forcedSinceProgress = true;
            long sinceForced = 0;
            int slowPasses = 0;
            int stalledParallel = 0;
            int passes = 0;
            for (int pass = 0; alive > target; pass++) {
                passes++;
                long need = (alive - target + 1) / 2;
                boolean sequential = need < SEQUENTIAL_BELOW || stalledParallel >= 2;
                // Owners first, so that the cost scan can count candidates per block too.
                Block[] blocks = blocksFor(pass, sequential);
                long a = clock();
                long candidates = updateCosts(pass, force, hist, blocks.length);
                costNanos += clock() - a;
                force = false;
                if (candidates == 0) {
                    if (forcedSinceProgress || tailOnly(sinceForced)) {
                        break;
                    }
                    force = true;
                    forcedSinceProgress = true;
                    sinceForced = 0;
                    continue;
                }
                // Several candidates per collapse still wanted: some are refused, some wait for a later pass.
                long take = Math.max(1, Math.min(4 * need, (long) Math.ceil(candidates * PASS_FRACTION)));
                a = clock();
                long g0 = clock();
                int count = gather(hist, take, blocks);
                gatherNanos += clock() - g0;
                for (Block b : blocks) {
                    b.quota = sequential ? need : need * (b.candTo - b.candFrom) / Math.max(1, count);
                }
                long r0 = clock();
                reserveArenas(blocks);
                reserveNanos += clock() - r0;
                costNanos += clock() - a;
                a = clock();
                int p = pass;
                forEachBlock(blocks, b -> b.run(cand, p));
                long done = 0;
                for (Block b : blocks) {
                    done += b.collapses;
                    collapses += b.collapses;
                    alive -= b.removedTriangles;
                    refused += b.refused;
                    for (int k = 0; k < 4; k++) {
                        refusedBy[k] += b.refusedBy[k];
                    }
                    maxRms2 = Math.max(maxRms2, b.maxRms2);
                }
                applyNanos += clock() - a;
                if (done > 0) {
                    forcedSinceProgress = false;
                }
                sinceForced += done;
                // The tail, when the error bound or the checks (not the target) hold the mesh back:
                // each collapse frees a few more, and passes that each scan the whole mesh for a
                // handful of collapses went on for hundreds of passes (an error bound alone on ch2:
                // 407 passes, the last 380 of them for 2% of the collapses).
                boolean slow = done * SLOW_PASS < alive && done * 2 < need;
                slowPasses = slow ? slowPasses + 1 : 0;
                if (slowPasses >= SLOW_PASSES) {
                    if (tailOnly(sinceForced)) {
                        break;
                    }
                    force = true;
                    sinceForced = 0;
                    slowPasses = 0;
                }
                stalledParallel = done > 0 || sequential ? 0 : stalledParallel + 1;
                if (alive < ntri / 2 && alive > target) {
                    long k0 = clock();
                    compactTriangles();
                    compactNanos += clock() - k0;
                }
            }
            long[] ph = PHASE_NANOS.get();
            PASSES.get()[0] = passes;
            System.arraycopy(refusedBy, 0, REFUSALS.get(), 0, 4);
            ph[2] = costNanos;
            ph[3] = applyNanos;
            ph[4] = clock() - t0;
            ph[6] = gatherNanos;
            ph[7] = reserveNanos;
            ph[8] = compactNanos;
        }

        /**
         * Whether the collapses since the last pass that costed every edge again were too few to
         * be worth another such pass: under 1/{@link #TAIL} of the triangles (on a small mesh,
         * none at all).
         */
        private boolean tailOnly(long sinceForced) {
            return sinceForced * TAIL < alive;
        }

        /**
         * The blocks of a pass: {@link #BLOCKS} slabs of equal thickness across the mesh's longest
         * axis, shifted by half a slab on odd passes so that collapses left across a slab border in
         * one pass are inside a slab in the next; one block for the whole mesh when sequential.
         * Sets {@link #owner} from the positions at the start of the pass.
         */
        private Block[] blocksFor(int pass, boolean sequential) {
            int count = sequential ? 1 : BLOCKS + (pass & 1);
            double shift = sequential ? 0 : (pass & 1) * 0.5;
            Block[] blocks = new Block[count];
            for (int b = 0; b < count; b++) {
                blocks[b] = new Block(this, (short) b);
            }
            double scale = BLOCKS / axisLength;
            forEachWorkerRange(nv, (w, lo, hi) -> {
                for (int v = lo; v < hi; v++) {
                    int slab = (int) ((pos[3 * v + axis] - axisMin) * scale + shift);
                    owner[v] = (short) Math.max(0, Math.min(count - 1, slab));
                }
            });
            return blocks;
        }

        /** Gives each block its own stretch of {@link #refs} to write merged vertices' lists into. */
        private void reserveArenas(Block[] blocks) {
            long total = 0;
            for (Block b : blocks) {
                total += arenaSize(b);
            }
            if (refsEnd + total > refs.length) {
                buildFans(total);
            }
            int at = refsEnd;
            for (Block b : blocks) {
                b.arenaPos = at;
                at += arenaSize(b);
                b.arenaEnd = at;
            }
            refsEnd = at;
        }

        /**
         * Room for the lists a block rewrites: on ch2 a pass collapses about a third of its
         * candidates and writes about 8 entries for each (3 per candidate), so 8 per candidate is
         * ample; a block that still runs out stops for this pass, whatever the thread count.
         */
        private static long arenaSize(Block b) {
            return 8L * Math.min(b.quota, b.candTo - b.candFrom) + 512;
        }

        /**
         * Recomputes the cost of every edge with an end that changed in the last pass (every edge
         * when forced) and counts the candidates per cost bin, per worker.
         */
        private long updateCosts(int pass, boolean force, int[][] hist, int nb) {
            long[] counts = new long[threads];
            for (int[] h : hist) {
                Arrays.fill(h, 0, nb * BINS, 0);
            }
            forEachWorkerRange(ntri, (w, lo, hi) -> {
                int[] h = hist[w];
                double[] r = new double[PLACEMENT];
                long n = 0;
                for (int c = 3 * lo, e = 3 * hi; c < e; c++) {
                    int u = tri[c];
                    if (u < 0) {
                        continue;
                    }
                    int v = tri[next(c)];
                    if (u > v) {
                        // The other corner of the edge stands for it.
                        cost[c] = Float.POSITIVE_INFINITY;
                        continue;
                    }
                    if (force || stamp[u] == pass - 1 || stamp[v] == pass - 1) {
                        cost[c] = edgeCost(u, v, r);
                    }
                    float k = cost[c];
                    if (k != Float.POSITIVE_INFINITY) {
                        h[owner[u] * BINS + bin(k)]++;
                        n++;
                    }
                }
                counts[w] = n;
            });
            long total = 0;
            for (long n : counts) {
                total += n;
            }
            return total;
        }

        static int bin(float cost) {
            return Float.floatToRawIntBits(cost) >>> BIN_SHIFT;
        }

        /**
         * Writes the candidates of the cheapest bins holding at least {@code take} of them into
         * {@link #cand}, grouped by the block of their first vertex and in corner order within a
         * block (neighbours in the mesh are near in memory, and within a pass every candidate is
         * among the cheapest); sets each block's slice and returns how many there are.
         */
        private int gather(int[][] hist, long take, Block[] blocks) {
            int last = 0;
            long sum = 0;
            int nb = blocks.length;
            for (; last < BINS; last++) {
                for (int w = 0; w < threads; w++) {
                    for (int b = 0; b < nb; b++) {
                        sum += hist[w][b * BINS + last];
                    }
                }
                if (sum >= take) {
                    break;
                }
            }
            int maxBin = Math.min(last, BINS - 1);
            passThreshold = maxBin == BINS - 1 ? Double.POSITIVE_INFINITY : Float.intBitsToFloat((maxBin + 1) << BIN_SHIFT);
            int[][] perWorker = new int[threads][nb];
            for (int w = 0; w < threads; w++) {
                for (int b = 0; b < nb; b++) {
                    int n = 0;
                    for (int k = b * BINS, e = k + maxBin; k <= e; k++) {
                        n += hist[w][k];
                    }
                    perWorker[w][b] = n;
                }
            }
            // Offsets: block major, worker minor, so the order is the same for any number of workers.
            int off = 0;
            for (int b = 0; b < nb; b++) {
                blocks[b].candFrom = off;
                for (int w = 0; w < threads; w++) {
                    int n = perWorker[w][b];
                    perWorker[w][b] = off;
                    off += n;
                }
                blocks[b].candTo = off;
            }
            if (cand.length < off) {
                cand = new int[off + off / 4];
            }
            int[] cand = this.cand;
            forEachWorkerRange(ntri, (w, lo, hi) -> {
                int[] o = perWorker[w];
                for (int c = 3 * lo, e = 3 * hi; c < e; c++) {
                    float k = cost[c];
                    if (k != Float.POSITIVE_INFINITY && tri[c] >= 0 && bin(k) <= maxBin) {
                        cand[o[owner[tri[c]]]++] = c;
                    }
                }
            });
            return off;
        }

        /** The cost of collapsing edge (u, v) seen from its corner with u < v; +Inf when it is no candidate. */
        private float edgeCost(int u, int v, double[] r) {
            if (u > v) {
                return Float.POSITIVE_INFINITY;
            }
            byte ku = kind[u];
            byte kv = kind[v];
            if (ku >= FROZEN || kv >= FROZEN || ku == BORDER && kv == BORDER) {
                return Float.POSITIVE_INFINITY;
            }
            placement(u, v, r);
            double err = r[3];
            double w = (double) weight[u] + weight[v];
            if (err > bound2 * w) {
                return Float.POSITIVE_INFINITY;
            }
            return (float) err;
        }

        /** Where merging u and v puts the vertex and the quadric error there: x, y, z, error, into r ({@link #PLACEMENT} long). */
        private double[] placement(int u, int v, double[] r) {
            sumAbout(u, v, r);
            double a2 = r[4], ab = r[5], ac = r[6], ad = r[7], b2 = r[8];
            double bc = r[9], bd = r[10], c2 = r[11], cd = r[12], d2 = r[13];
            // Positions below are about u: u at 0, v at -t.
            int iu = 3 * u;
            int iv = 3 * v;
            double ox = pos[iu], oy = pos[iu + 1], oz = pos[iu + 2];
            double vx = pos[iv] - ox, vy = pos[iv + 1] - oy, vz = pos[iv + 2] - oz;
            if (kind[u] == BORDER || kind[v] == BORDER) {
                double x = 0, y = 0, z = 0;
                if (kind[u] != BORDER) {
                    x = vx;
                    y = vy;
                    z = vz;
                }
                return at(r, ox, oy, oz, x, y, z, qerr(a2, ab, ac, ad, b2, bc, bd, c2, cd, d2, x, y, z));
            }
            double mx = vx / 2, my = vy / 2, mz = vz / 2;
            double len2 = vx * vx + vy * vy + vz * vz;
            // Solve A p = -b by cofactors.
            double c00 = b2 * c2 - bc * bc;
            double c01 = ac * bc - ab * c2;
            double c02 = ab * bc - ac * b2;
            double det = a2 * c00 + ab * c01 + ac * c02;
            double tr = (a2 + b2 + c2) / 3;
            if (Math.abs(det) > 1e-9 * tr * tr * tr && tr > 0) {
                double c11 = a2 * c2 - ac * ac;
                double c12 = ab * ac - a2 * bc;
                double c22 = a2 * b2 - ab * ab;
                double x = -(c00 * ad + c01 * bd + c02 * cd) / det;
                double y = -(c01 * ad + c11 * bd + c12 * cd) / det;
                double z = -(c02 * ad + c12 * bd + c22 * cd) / det;
                double dx = x - mx, dy = y - my, dz = z - mz;
                if (dx * dx + dy * dy + dz * dz <= len2) {
                    return at(r, ox, oy, oz, x, y, z, qerr(a2, ab, ac, ad, b2, bc, bd, c2, cd, d2, x, y, z));
                }
            }
            double eu = d2;
            double ev = qerr(a2, ab, ac, ad, b2, bc, bd, c2, cd, d2, vx, vy, vz);
            double em = qerr(a2, ab, ac, ad, b2, bc, bd, c2, cd, d2, mx, my, mz);
            if (eu <= ev && eu <= em) {
                return at(r, ox, oy, oz, 0, 0, 0, eu);
            } else if (ev <= em) {
                return at(r, ox, oy, oz, vx, vy, vz, ev);
            }
            return at(r, ox, oy, oz, mx, my, mz, em);
        }

        /** Writes the position (x, y, z) about (ox, oy, oz), and the error, into r. */
        private static double[] at(double[] r, double ox, double oy, double oz, double x, double y, double z, double err) {
            r[0] = ox + x;
            r[1] = oy + y;
            r[2] = oz + z;
            r[3] = Math.max(0, err);
            return r;
        }

        /** Sets a's quadric to a's and b's summed about a's new position, a's old one plus (sx, sy, sz); s is scratch as for {@link #placement}. */
        void mergeQuadrics(int a, int b, double sx, double sy, double sz, double[] s) {
            sumAbout(a, b, s);
            double a2 = s[4], ab = s[5], ac = s[6], ad = s[7], b2 = s[8];
            double bc = s[9], bd = s[10], c2 = s[11], cd = s[12], d2 = s[13];
            int q = 10 * a;
            quad[q] = (float) a2;
            quad[q + 1] = (float) ab;
            quad[q + 2] = (float) ac;
            quad[q + 3] = (float) (a2 * sx + ab * sy + ac * sz + ad);
            quad[q + 4] = (float) b2;
            quad[q + 5] = (float) bc;
            quad[q + 6] = (float) (ab * sx + b2 * sy + bc * sz + bd);
            quad[q + 7] = (float) c2;
            quad[q + 8] = (float) (ac * sx + bc * sy + c2 * sz + cd);
            quad[q + 9] = (float) Math.max(0, qerr(a2, ab, ac, ad, b2, bc, bd, c2, cd, d2, sx, sy, sz));
        }

        static double qerr(double a2, double ab, double ac, double ad, double b2, double bc, double bd,
                           double c2, double cd, double d2, double x, double y, double z) {
            return a2 * x * x + 2 * ab * x * y + 2 * ac * x * z + 2 * ad * x
                    + b2 * y * y + 2 * bc * y * z + 2 * bd * y
                    + c2 * z * z + 2 * cd * z + d2;
        }

        /**
         * Drops dead triangles from {@link #tri} (keeping the order and each corner's cost) and
         * rebuilds the vertex lists, so later passes scan only what is left. In place: each
         * worker packs its own range to the range's start, then the ranges are moved down.
         */
        private void compactTriangles() {
            int[] kept = new int[threads];
            int[] starts = new int[threads];
            forEachWorkerRange(ntri, (w, lo, hi) -> {
                int o = 3 * lo;
                for (int c = 3 * lo, e = 3 * hi; c < e; c += 3) {
                    if (tri[c] >= 0) {
                        if (o != c) {
                            tri[o] = tri[c];
                            tri[o + 1] = tri[c + 1];
                            tri[o + 2] = tri[c + 2];
                            cost[o] = cost[c];
                            cost[o + 1] = cost[c + 1];
                            cost[o + 2] = cost[c + 2];
                        }
                        o += 3;
                    }
                }
                starts[w] = 3 * lo;
                kept[w] = o - 3 * lo;
            });
            int total = kept[0];
            for (int w = 1; w < threads; w++) {
                System.arraycopy(tri, starts[w], tri, total, kept[w]);
                System.arraycopy(cost, starts[w], cost, total, kept[w]);
                total += kept[w];
            }
            // What lies past the packed triangles is stale copies: dead, since output() reads the whole array.
            Arrays.fill(tri, total, 3 * ntri, -1);
            ntri = total / 3;
            buildFans(0);
        }

        Mesh output() {
            long t0 = clock();
            int[] remap = new int[nv];
            Arrays.fill(remap, -1);
            int nTri = 0;
            for (int c = 0, e = 3 * ntri; c < e; c += 3) {
                if (tri[c] >= 0) {
                    nTri++;
                    remap[tri[c]] = remap[tri[c + 1]] = remap[tri[c + 2]] = 0;
                }
            }
            int n = 0;
            for (int v = 0; v < nv; v++) {
                if (remap[v] == 0) {
                    remap[v] = n++;
                }
            }
            float[] p = new float[3 * n];
            for (int v = 0; v < nv; v++) {
                int r = remap[v];
                if (r >= 0) {
                    p[3 * r] = pos[3 * v];
                    p[3 * r + 1] = pos[3 * v + 1];
                    p[3 * r + 2] = pos[3 * v + 2];
                }
            }
            int[] t = new int[3 * nTri];
            int j = 0;
            for (int c = 0, e = 3 * ntri; c < e; c += 3) {
                if (tri[c] >= 0) {
                    t[j++] = remap[tri[c]];
                    t[j++] = remap[tri[c + 1]];
                    t[j++] = remap[tri[c + 2]];
                }
            }
            PHASE_NANOS.get()[5] = clock() - t0;
            return new Mesh(p, t);
        }

        /** Runs every block, each on one worker at a time; blocks share no vertex, so their order does not matter. */
        void forEachBlock(Block[] blocks, java.util.function.Consumer<Block> body) {
            if (threads == 1 || blocks.length == 1) {
                for (Block b : blocks) {
                    body.accept(b);
                }
                return;
            }
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            forEachRange(threads * 4096, (w, lo, hi) -> {
                for (int i; (i = next.getAndIncrement()) < blocks.length; ) {
                    body.accept(blocks[i]);
                }
            });
        }

        interface RangeBody {
            void run(int worker, int lo, int hi);
        }

        /** Splits [0, n) into one fixed range per worker: the same ranges for the same thread count. */
        void forEachWorkerRange(int n, RangeBody body) {
            forEachRange(n, body);
        }

        void forEachRange(int n, RangeBody body) {
            if (threads == 1 || n < 4096) {
                body.run(0, 0, n);
                return;
            }
            Parallel.forEachWorker(n, threads, body::run);
        }
    }

    /**
     * The collapses of one pass within one slab: a collapse is taken only when both ends and all
     * their neighbours belong to the slab (the others wait for a later pass, where the slabs are
     * shifted), so slabs worked at the same time never read what another one writes.
     */
    private static final class Block {
        final Engine m;
        final short id;
        int candFrom;
        int candTo;
        long quota;
        int arenaPos;
        int arenaEnd;
        long collapses;
        long removedTriangles;
        long refused;
        final long[] refusedBy = new long[4];
        double maxRms2;
        int[] ring = new int[64];
        final double[] scratch = new double[Engine.PLACEMENT];

        Block(Engine m, short id) {
            this.m = m;
            this.id = id;
        }

        void run(int[] cand, int pass) {
            for (int i = candFrom; i < candTo && collapses < quota; i++) {
                if (tryCollapse(cand[i], pass) == ARENA_FULL) {
                    return;
                }
            }
        }

        static final int TAKEN = 0;
        static final int REFUSED = 1;
        static final int LATER = 2;
        static final int ARENA_FULL = 3;

        private boolean inside(int v) {
            return m.owner[v] == id;
        }

        /** Collapses the edge from corner h to the next corner if every check passes. */
        private int tryCollapse(int h, int pass) {
            int[] tri = m.tri;
            int u = tri[h];
            if (u < 0) {
                return LATER;
            }
            int v = tri[Engine.next(h)];
            byte[] kind = m.kind;
            if (!inside(v) || kind[u] == Engine.BORDER && kind[v] == Engine.BORDER) {
                return LATER;
            }
            // An end that merged in this pass has a new quadric: the edge's cost is worked out again below.
            boolean stale = m.stamp[u] == pass || m.stamp[v] == pass;
            int a;
            int b;
            if (kind[u] == Engine.BORDER || kind[v] != Engine.BORDER && m.fanCount[u] >= m.fanCount[v]) {
                a = u;
                b = v;
            } else {
                a = v;
                b = u;
            }
            // A stale edge is costed before the link check: most have grown past the pass's
            // threshold, and the cost is cheaper than walking both fans.
            double[] r = null;
            if (stale) {
                r = m.placement(u, v, scratch);
                if (r[3] >= m.passThreshold || r[3] > m.bound2 * ((double) m.weight[u] + m.weight[v])) {
                    return LATER;
                }
            }
            int link = linkAllows(a, b);
            if (link == LATER) {
                return LATER;
            }
            if (r == null) {
                r = m.placement(u, v, scratch);
            }
            double x = r[0], y = r[1], z = r[2], err = r[3];
            if (link == REFUSED || !shapesAllow(a, b, x, y, z)) {
                refused++;
                m.cost[h] = Float.POSITIVE_INFINITY;
                return REFUSED;
            }
            if (arenaPos + m.fanCount[a] + m.fanCount[b] > arenaEnd) {
                return ARENA_FULL;
            }
            collapse(a, b, x, y, z, pass);
            double w = m.weight[a];
            if (w > 0) {
                maxRms2 = Math.max(maxRms2, err / w);
            }
            collapses++;
            return TAKEN;
        }

        /**
         * LATER when a neighbour lies outside the range; otherwise REFUSED unless the link
         * condition holds (a and b share exactly the two vertices opposite their edge, and the edge
         * has exactly two triangles) and the merged vertex keeps at least three triangles (one on a
         * border).
         */
        private int linkAllows(int a, int b) {
            int[] tri = m.tri;
            int[] refs = m.refs;
            int n = 0;
            int degA = 0;
            for (int i = m.fanStart[a], e = i + m.fanCount[a]; i < e; i++) {
                int c = refs[i];
                if (tri[c] < 0) {
                    continue;
                }
                degA++;
                if (n + 2 > ring.length) {
                    ring = Arrays.copyOf(ring, 2 * ring.length);
                }
                // Both: a border vertex's fan ends at a neighbour that is no triangle's next.
                int x1 = tri[Engine.next(c)];
                int x2 = tri[Engine.prev(c)];
                if (!inside(x1) || !inside(x2)) {
                    return LATER;
                }
                ring[n++] = x1;
                ring[n++] = x2;
            }
            // b is never on a border, so each of its neighbours is the next vertex of exactly one of its triangles.
            int degB = 0;
            int both = 0;
            int shared = 0;
            for (int i = m.fanStart[b], e = i + m.fanCount[b]; i < e; i++) {
                int c = refs[i];
                if (tri[c] < 0) {
                    continue;
                }
                degB++;
                int x = tri[Engine.next(c)];
                if (!inside(x)) {
                    return LATER;
                }
                if (x == a || tri[Engine.prev(c)] == a) {
                    both++;
                }
                if (x != a) {
                    for (int j = 0; j < n; j++) {
                        if (ring[j] == x) {
                            shared++;
                            break;
                        }
                    }
                }
            }
            if (both != 2 || shared != 2) {
                refusedBy[0]++;
                return REFUSED;
            }
            if (degA + degB - 4 < (m.kind[a] == Engine.BORDER ? 1 : 3)) {
                refusedBy[1]++;
                return REFUSED;
            }
            return TAKEN;
        }

        /** No surviving triangle flips, folds, degenerates or becomes a new sliver. */
        private boolean shapesAllow(int a, int b, double x, double y, double z) {
            int ia = 3 * a;
            float[] pos = m.pos;
            boolean aMoves = pos[ia] != x || pos[ia + 1] != y || pos[ia + 2] != z;
            return (!aMoves || fanAllows(a, b, x, y, z)) && fanAllows(b, a, x, y, z);
        }

        /** Checks the triangles of {@code moving} that do not contain {@code other}, with {@code moving} at (x, y, z). */
        private boolean fanAllows(int moving, int other, double x, double y, double z) {
            int[] tri = m.tri;
            int[] refs = m.refs;
            float[] pos = m.pos;
            int im = 3 * moving;
            double ox = pos[im], oy = pos[im + 1], oz = pos[im + 2];
            for (int i = m.fanStart[moving], e = i + m.fanCount[moving]; i < e; i++) {
                int c = refs[i];
                if (tri[c] < 0) {
                    continue;
                }
                int p1 = tri[Engine.next(c)];
                int p2 = tri[Engine.prev(c)];
                if (p1 == other || p2 == other) {
                    continue;
                }
                int i1 = 3 * p1;
                int i2 = 3 * p2;
                double ax = pos[i1], ay = pos[i1 + 1], az = pos[i1 + 2];
                double bx = pos[i2], by = pos[i2 + 1], bz = pos[i2 + 2];
                // Old and new normals of (moving, p1, p2).
                double ux = ax - ox, uy = ay - oy, uz = az - oz;
                double vx = bx - ox, vy = by - oy, vz = bz - oz;
                double onx = uy * vz - uz * vy, ony = uz * vx - ux * vz, onz = ux * vy - uy * vx;
                double sx = ax - x, sy = ay - y, sz = az - z;
                double tx = bx - x, ty = by - y, tz = bz - z;
                double nnx = sy * tz - sz * ty, nny = sz * tx - sx * tz, nnz = sx * ty - sy * tx;
                double on = Math.sqrt(onx * onx + ony * ony + onz * onz);
                double nn = Math.sqrt(nnx * nnx + nny * nny + nnz * nnz);
                if (nn == 0 || on > 0 && onx * nnx + ony * nny + onz * nnz < MIN_NORMAL_COSINE * on * nn) {
                    refusedBy[2]++;
                    return false;
                }
                double wx = bx - ax, wy = by - ay, wz = bz - az;
                double opp = wx * wx + wy * wy + wz * wz;
                double qNew = 2 * Math.sqrt(3) * nn / (sx * sx + sy * sy + sz * sz + tx * tx + ty * ty + tz * tz + opp);
                if (qNew < MIN_QUALITY) {
                    double qOld = 2 * Math.sqrt(3) * on / (ux * ux + uy * uy + uz * uz + vx * vx + vy * vy + vz * vz + opp);
                    if (qNew < qOld) {
                        refusedBy[3]++;
                        return false;
                    }
                }
            }
            return true;
        }

        /** Merges b into a at (x, y, z): b's triangles are rewritten to a, the two on the edge go. */
        private void collapse(int a, int b, double x, double y, double z, int pass) {
            m.mergeQuadrics(a, b, x - m.pos[3 * a], y - m.pos[3 * a + 1], z - m.pos[3 * a + 2], scratch);
            m.weight[a] += m.weight[b];
            int ia = 3 * a;
            m.pos[ia] = (float) x;
            m.pos[ia + 1] = (float) y;
            m.pos[ia + 2] = (float) z;
            m.kind[b] = Engine.REMOVED;
            m.stamp[a] = pass;
            int[] tri = m.tri;
            int[] refs = m.refs;
            int start = arenaPos;
            int end = start;
            for (int i = m.fanStart[a], e = i + m.fanCount[a]; i < e; i++) {
                int c = refs[i];
                if (tri[c] < 0) {
                    continue;
                }
                if (tri[Engine.next(c)] == b || tri[Engine.prev(c)] == b) {
                    int base = c - c % 3;
                    tri[base] = tri[base + 1] = tri[base + 2] = -1;
                    removedTriangles++;
                    continue;
                }
                refs[end++] = c;
            }
            for (int i = m.fanStart[b], e = i + m.fanCount[b]; i < e; i++) {
                int c = refs[i];
                if (tri[c] < 0) {
                    continue;
                }
                tri[c] = a;
                refs[end++] = c;
            }
            m.fanStart[a] = start;
            m.fanCount[a] = end - start;
            m.fanCount[b] = 0;
            arenaPos = end;
        }
    }
}
