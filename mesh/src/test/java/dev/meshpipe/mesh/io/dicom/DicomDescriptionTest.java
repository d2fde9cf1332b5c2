package dev.meshpipe.mesh.io.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The series description writes spacings as String.format's %.4g did, without Formatter. */
class DicomDescriptionTest {
    @Test
    void spacingsReadAsFormatterWritesThem() {
        double[] cases = {0.7, 1, 0.5, 0.48828125, 0.9765625, 1.25, 2.5, 3, 5, 0.001, 0.00123456, 999.94, 999.95, 999.96, 1000, 1234.5,
            9.9995, 9.99949, 0.99995, 99.995, 0.1, 0.35, 0.625, 0.00099, 1e-7, 1e7, 0, -1, 0.33333333, 2.00005, 1.00005, 0.10005};
        for (double v : cases) {
            assertEquals(String.format(Locale.ROOT, "%.4g", v), SeriesGeometry.g4(v), "spacing " + v);
        }
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            double v = Math.pow(10, r.nextDouble() * 7 - 4);
            if (r.nextBoolean()) {
                v = Math.round(v * 10_000) / 10_000.0 + (r.nextBoolean() ? 0.00005 : 0); // ties and short decimals
            }
            assertEquals(String.format(Locale.ROOT, "%.4g", v), SeriesGeometry.g4(v), "spacing " + v);
        }
    }
}
