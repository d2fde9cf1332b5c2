package dev.meshpipe.mesh.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meshpipe.mesh.Volume;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SampleType;
import dev.meshpipe.mesh.io.VolumeReader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LabelMapsTest {
    static final Path TEMPLATES = Path.of("/usr/share/mricron/templates");

    @Test
    void blocksOfLabelsAreALabelMap() {
        Volume v = LabelSurfacesTest.volume(12, (x, y, z) -> x < 2 ? 0 : 1 + x / 4 + 3 * (y / 6));
        LabelMaps.Recognition r = LabelMaps.looksLikeLabelMap(v, SampleType.UINT8);
        assertTrue(r.labelMap(), r.reason());
        assertEquals("labels", r.mode());
        assertTrue(r.reason().contains("a label map"), r.reason());
    }

    @Test
    void aMaskIsMeshedAsASurfaceAndSaysSo() {
        Volume v = LabelSurfacesTest.volume(8, (x, y, z) -> x > 3 ? 1 : 0);
        LabelMaps.Recognition r = LabelMaps.looksLikeLabelMap(v, SampleType.UINT8);
        assertFalse(r.labelMap());
        assertEquals("surface", r.mode());
        assertTrue(r.reason().contains("a mask"), r.reason());
    }

    @Test
    void noisyIntegersFractionsNegativesAndFloatsAreImages() {
        Volume noisy = LabelSurfacesTest.volume(10, (x, y, z) -> (x * 7 + y * 13 + z * 5) % 11);
        assertTrue(LabelMaps.looksLikeLabelMap(noisy, SampleType.INT16).reason().contains("neighbouring"));
        Volume fraction = LabelSurfacesTest.volume(4, (x, y, z) -> x);
        fraction.data()[5] = 0.5f;
        assertTrue(LabelMaps.looksLikeLabelMap(fraction, null).reason().contains("not a whole number"));
        Volume negative = LabelSurfacesTest.volume(4, (x, y, z) -> x - 1);
        assertFalse(LabelMaps.looksLikeLabelMap(negative, null).labelMap());
        Volume blocks = LabelSurfacesTest.volume(12, (x, y, z) -> x / 4);
        assertTrue(LabelMaps.looksLikeLabelMap(blocks, null).labelMap());
        assertTrue(LabelMaps.looksLikeLabelMap(blocks, SampleType.FLOAT32).reason().contains("float samples"));
        Volume many = LabelSurfacesTest.volume(11, (x, y, z) -> x + 11 * y + 121 * z);
        assertTrue(LabelMaps.looksLikeLabelMap(many, SampleType.UINT16).reason().contains("more than 1000"));
    }

    /** The thresholds were chosen on these files: every atlas is a label map, no MRI template is. */
    @Test
    void mricronAtlasesAndTemplates() throws Exception {
        assumeTrue(Files.isDirectory(TEMPLATES), "mricron-data not installed");
        String[] atlases = {"aal.nii.gz", "AICHAmc.nii.gz", "HarvardOxford-cort-maxprob-thr0-1mm.nii.gz",
            "JHU-WhiteMatter-labels-1mm.nii.gz", "JHU-WhiteMatter-labels-2mm.nii.gz", "brodmann.nii.gz",
            "inia19-NeuroMaps.nii.gz", "jhu189.nii.gz", "natbrainlab.nii.gz"};
        for (String a : atlases) {
            LabelMaps.Recognition r = LabelMaps.looksLikeLabelMap(read(a), SampleType.UINT8);
            assertTrue(r.labelMap(), a + ": " + r.reason());
        }
        for (String image : new String[] {"ch2.nii.gz", "ch2bet.nii.gz", "ch2better.nii.gz", "inia19-t1-brain.nii.gz"}) {
            LabelMaps.Recognition r = LabelMaps.looksLikeLabelMap(read(image), null);
            assertFalse(r.labelMap(), image + ": " + r.reason());
        }
    }

    private static Volume read(String name) throws Exception {
        return VolumeReader.read(TEMPLATES.resolve(name).toString(), VolumeLimits.defaults());
    }
}
