package dev.meshpipe.mesh.labels;

import dev.meshpipe.mesh.MeshError;
import dev.meshpipe.mesh.MeshException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which labels of a label map become structures: a list of ids and ranges ({@code 1,3,5-9}) or
 * all non-zero labels, the smallest structure kept (in voxels) and the most structures a job may hold.
 * Label 0 is background and never a structure, even inside a range.
 *
 * @param ranges    inclusive [from, to] pairs; empty means every label
 * @param minVoxels structures with fewer voxels are dropped (and reported as dropped)
 * @param maxLabels more structures than this is an error rather than a silently partial result
 */
public record LabelSelection(List<int[]> ranges, long minVoxels, int maxLabels) {
    public static final int DEFAULT_MAX_LABELS = 1000;

    public LabelSelection {
        ranges = List.copyOf(ranges);
        if (minVoxels < 0 || maxLabels < 1) {
            throw invalid("minVoxels must be >= 0 and maxLabels >= 1");
        }
    }

    public static LabelSelection all() {
        return new LabelSelection(List.of(), 0, DEFAULT_MAX_LABELS);
    }

    /** Parses {@code 1,3,5-9}; null, blank or {@code all} select every label. */
    public static LabelSelection parse(String spec) {
        if (spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase("all")) {
            return all();
        }
        List<int[]> out = new ArrayList<>();
        for (String part : spec.split(",", -1)) {
            String p = part.trim();
            int dash = p.indexOf('-', 1);
            int from = parseId(dash < 0 ? p : p.substring(0, dash), spec);
            int to = dash < 0 ? from : parseId(p.substring(dash + 1), spec);
            if (to < from) {
                throw invalid("labels: range " + p + " runs backwards");
            }
            out.add(new int[] {from, to});
        }
        return new LabelSelection(out, 0, DEFAULT_MAX_LABELS);
    }

    public LabelSelection withMinVoxels(long min) {
        return new LabelSelection(ranges, min, maxLabels);
    }

    public LabelSelection withMaxLabels(int max) {
        return new LabelSelection(ranges, minVoxels, max);
    }

    public boolean includes(int label) {
        if (label <= 0) {
            return false;
        }
        if (ranges.isEmpty()) {
            return true;
        }
        for (int[] r : ranges) {
            if (label >= r[0] && label <= r[1]) {
                return true;
            }
        }
        return false;
    }

    private static int parseId(String s, String spec) {
        String t = s.trim();
        if (t.isEmpty() || !t.chars().allMatch(Character::isDigit) || t.length() > 9) {
            throw invalid("labels: expected ids and ranges like 1,3,5-9, got '" + spec + "'");
        }
        return Integer.parseInt(t);
    }

    static MeshException invalid(String message) {
        return new MeshException(MeshError.INVALID_PARAMETER, message);
    }

    @Override
    public String toString() {
        if (ranges.isEmpty()) {
            return "all";
        }
        StringBuilder sb = new StringBuilder();
        for (int[] r : ranges) {
            sb.append(sb.isEmpty() ? "" : ",").append(r[0]).append(r[0] == r[1] ? "" : "-" + r[1]);
        }
        return sb.toString();
    }
}
