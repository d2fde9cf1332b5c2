package dev.meshpipe.mesh.labels;

import dev.meshpipe.mesh.Volume;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * "Fill cavities" for a label map, before meshing: a cavity is a component of background voxels
 * (label 0) that does not reach the volume's border (outside the volume is background). One that
 * touches a single label, across voxel faces, becomes that label, so the structure is solid and
 * prints without a hidden inner shell; one that touches several is left, and reported, since
 * giving it to any one of them would be a guess.
 *
 * <p>Background is connected through faces, edges and corners (26-connectivity): the mesher keeps
 * a label's voxels that touch only along an edge or at a corner apart (6-connected, docs/labels.md
 * "Non-manifold corners"), so background passes between them and a shell of a label is closed
 * only where its voxels join through faces. A cavity's neighbours are the labels across its faces,
 * the faces its surface would have.
 */
public final class LabelCavities {
    /** At most this many left cavities are listed one by one (all are counted). */
    static final int LISTED = 100;

    private LabelCavities() {}

    /** A cavity left as it is: its voxel count and the labels around it, ascending. */
    public record Cavity(long voxels, List<Integer> labels) {}

    /**
     * @param filledVoxels label to the background voxels it received
     * @param left         cavities touching several labels, largest first (at most {@value #LISTED})
     */
    public record Report(int cavitiesFilled, long voxelsFilled, Map<Integer, Long> filledVoxels, int cavitiesLeft,
                         long voxelsLeft, List<Cavity> left) {}

    /** The volume with cavities of one label filled (the same object when there are none), and what was done. */
    public record Result(Volume volume, Report report) {}

    public static Result fill(Volume v) {
        int nx = v.nx(), ny = v.ny(), nz = v.nz();
        float[] data = v.data();
        BitSet seen = outside(v);
        Map<Integer, Long> filled = new TreeMap<>();
        List<Cavity> left = new ArrayList<>();
        int cavitiesFilled = 0, cavitiesLeft = 0;
        long voxelsLeft = 0;
        float[] out = null;
        IntQueue component = new IntQueue();
        TreeSet<Integer> around = new TreeSet<>();
        for (int i = 0; i < data.length; i++) {
            if (data[i] != 0 || seen.get(i)) {
                continue;
            }
            component.clear();
            around.clear();
            component.add(i);
            seen.set(i);
            // Breadth first; the queue keeps every voxel of the component for the filling below.
            for (int k = 0; k < component.size(); k++) {
                int j = component.get(k);
                int x = j % nx, y = (j / nx) % ny, z = j / nx / ny;
                for (int dz = -1; dz <= 1; dz++) {
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int xx = x + dx, yy = y + dy, zz = z + dz;
                            // A cavity never reaches the border, so its neighbours are all inside.
                            int n = xx + nx * (yy + ny * zz);
                            float label = data[n];
                            if (label == 0) {
                                if (!seen.get(n)) {
                                    seen.set(n);
                                    component.add(n);
                                }
                            } else if (Math.abs(dx) + Math.abs(dy) + Math.abs(dz) == 1) {
                                around.add((int) label);
                            }
                        }
                    }
                }
            }
            if (around.size() == 1) {
                if (out == null) {
                    out = data.clone();
                }
                int label = around.first();
                for (int k = 0; k < component.size(); k++) {
                    out[component.get(k)] = label;
                }
                filled.merge(label, (long) component.size(), Long::sum);
                cavitiesFilled++;
            } else {
                cavitiesLeft++;
                voxelsLeft += component.size();
                left.add(new Cavity(component.size(), List.copyOf(around)));
            }
        }
        left.sort((a, b) -> Long.compare(b.voxels(), a.voxels()));
        long voxelsFilled = filled.values().stream().mapToLong(Long::longValue).sum();
        Report report = new Report(cavitiesFilled, voxelsFilled, filled, cavitiesLeft, voxelsLeft,
                List.copyOf(left.subList(0, Math.min(LISTED, left.size()))));
        Volume volume = out == null ? v : new Volume(nx, ny, nz, out, v.spacing(), v.gridToWorld(), v.objectAbove(),
                v.defaultIso(), v.description());
        return new Result(volume, report);
    }

    /** Background voxels connected (26-way) to the border, where the volume is open to the outside. */
    private static BitSet outside(Volume v) {
        int nx = v.nx(), ny = v.ny(), nz = v.nz();
        float[] data = v.data();
        BitSet seen = new BitSet(data.length);
        IntQueue queue = new IntQueue();
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                for (int x = 0; x < nx; x++) {
                    boolean border = x == 0 || y == 0 || z == 0 || x == nx - 1 || y == ny - 1 || z == nz - 1;
                    int i = x + nx * (y + ny * z);
                    if (border && data[i] == 0 && !seen.get(i)) {
                        seen.set(i);
                        queue.add(i);
                    }
                    if (border && x == 0 && y > 0 && y < ny - 1 && z > 0 && z < nz - 1 && nx > 1) {
                        // Skip the row's inside: only its last voxel is on the border.
                        x = nx - 2;
                    }
                }
            }
        }
        int[] offsets = offsets26(nx, ny);
        while (queue.size() > 0) {
            int j = queue.poll();
            int x = j % nx, y = (j / nx) % ny, z = j / nx / ny;
            if (x > 0 && y > 0 && z > 0 && x < nx - 1 && y < ny - 1 && z < nz - 1) {
                // Inside: all 26 neighbours exist, no bounds to check.
                for (int off : offsets) {
                    int n = j + off;
                    if (data[n] == 0 && !seen.get(n)) {
                        seen.set(n);
                        queue.add(n);
                    }
                }
                continue;
            }
            for (int dz = -1; dz <= 1; dz++) {
                int zz = z + dz;
                if (zz < 0 || zz >= nz) {
                    continue;
                }
                for (int dy = -1; dy <= 1; dy++) {
                    int yy = y + dy;
                    if (yy < 0 || yy >= ny) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx;
                        if (xx < 0 || xx >= nx) {
                            continue;
                        }
                        int n = xx + nx * (yy + ny * zz);
                        if (data[n] == 0 && !seen.get(n)) {
                            seen.set(n);
                            queue.add(n);
                        }
                    }
                }
            }
        }
        return seen;
    }

    /** Index offsets of the 26 neighbours of a voxel. */
    private static int[] offsets26(int nx, int ny) {
        int[] out = new int[26];
        int k = 0;
        for (int dz = -1; dz <= 1; dz++) {
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    if (dx != 0 || dy != 0 || dz != 0) {
                        out[k++] = dx + nx * (dy + ny * dz);
                    }
                }
            }
        }
        return out;
    }

    /**
     * Growable int queue: {@link #poll} takes from the front (the flood from the border, which
     * then holds only its front), {@link #get} reads by position (a cavity, kept whole).
     */
    private static final class IntQueue {
        private int[] a = new int[1024];
        private int head, tail;

        void add(int v) {
            if (tail == a.length) {
                if (head > a.length / 2) {
                    System.arraycopy(a, head, a, 0, tail - head);
                    tail -= head;
                    head = 0;
                } else {
                    a = Arrays.copyOf(a, a.length * 2);
                }
            }
            a[tail++] = v;
        }

        int poll() {
            return a[head++];
        }

        int get(int k) {
            return a[head + k];
        }

        int size() {
            return tail - head;
        }

        void clear() {
            head = tail = 0;
        }
    }
}
