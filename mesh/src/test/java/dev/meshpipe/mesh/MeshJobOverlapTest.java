package dev.meshpipe.mesh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.meshpipe.mesh.finish.Finishing;
import dev.meshpipe.mesh.finish.SurfaceMetrics;
import dev.meshpipe.mesh.out.MeshJson;
import dev.meshpipe.mesh.out.MeshWriters;
import dev.meshpipe.mesh.out.PreviewRenderer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The job runs the finished mesh's figures, quality, files and preview at once: what it writes
 * must be what the same steps give one after another, and the sink must see its files opened on
 * one thread in the order they always had.
 */
class MeshJobOverlapTest {

    @Test
    void thePrintPresetWritesWhatTheStepsGiveOneAfterAnother() throws Exception {
        Volume v = MeshJobSpaceTest.volume();
        MeshOptions options = MeshOptions.defaults().withFormats(MeshFormat.THREE_MF, MeshFormat.STL)
                .withFinishing(Finishing.Options.preset(Finishing.PRINT)).withThreads(2);
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<Thread> openedOn = new ArrayList<>();
        MeshResult r = MeshJob.run(v, options, MeshJob.cpu(2), name -> {
            openedOn.add(Thread.currentThread());
            return new ByteArrayOutputStream() {
                @Override
                public void close() {
                    files.put(name, toByteArray());
                }
            };
        }, MeshJob.Progress.NONE);

        List<String> order = List.of("mesh.3mf", "mesh.stl", MeshJob.PREVIEW_FILE, MeshJob.QUALITY_FILE);
        assertEquals(order, r.files());
        assertEquals(order, List.copyOf(files.keySet()));
        assertEquals(List.of(Thread.currentThread()), openedOn.stream().distinct().toList());

        // The same job, step by step on this thread, as it ran before the steps overlapped.
        double iso = MeshJob.chooseIso(v, options.iso()).value();
        Mesh raw = MeshJob.cpu(2).extract(v, iso, options.closedBorders()).mesh().transformed(v.gridToWorld());
        Finishing.Result finished = Finishing.run(raw, options.finishing(), SurfaceMetrics.voxelVolume(v, iso), 2);
        assertArrayEquals(written(MeshFormat.THREE_MF, finished.mesh()), files.get("mesh.3mf"));
        assertArrayEquals(written(MeshFormat.STL, finished.mesh()), files.get("mesh.stl"));
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        PreviewRenderer.writePng(finished.mesh(), png);
        assertArrayEquals(png.toByteArray(), files.get(MeshJob.PREVIEW_FILE), "the same picture whatever draws it");

        JsonNode quality = MeshJson.MAPPER.readTree(files.get(MeshJob.QUALITY_FILE));
        JsonNode expected = MeshJson.MAPPER.readTree(MeshJson.pretty(finished.report()));
        assertEquals(withoutTimes(expected), withoutTimes(quality.get("finishing")));
        MeshQuality q = MeshQuality.of(finished.mesh());
        assertEquals(q.triangles(), quality.get("triangles").asLong());
        assertEquals(q.surfaceArea(), quality.get("surfaceArea").asDouble());
        assertEquals(q.eulerCharacteristic(), quality.get("eulerCharacteristic").asLong());
    }

    @Test
    void aFailedWriteFailsTheJobWithItsOwnError() {
        MeshOptions options = MeshOptions.defaults().withFormats(MeshFormat.STL)
                .withFinishing(Finishing.Options.preset(Finishing.PRINT)).withThreads(2);
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> MeshJob.run(MeshJobSpaceTest.volume(), options,
                MeshJob.cpu(2), name -> {
                    throw new java.io.IOException("disk full: " + name);
                }, MeshJob.Progress.NONE));
        assertEquals("disk full: mesh.stl", e.getMessage());
    }

    private static byte[] written(MeshFormat format, Mesh mesh) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        MeshWriters.write(format, mesh, null, CoordinateSpace.RAS, b);
        return b.toByteArray();
    }

    /** The finishing section without its stage and total times, which differ from run to run. */
    private static JsonNode withoutTimes(JsonNode finishing) {
        ObjectNode copy = finishing.deepCopy();
        copy.remove("ms");
        copy.withArray("stages").forEach(s -> ((ObjectNode) s).remove("ms"));
        return copy;
    }
}
