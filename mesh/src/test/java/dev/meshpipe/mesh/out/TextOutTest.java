package dev.meshpipe.mesh.out;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.mesh.Mesh;
import dev.meshpipe.mesh.VolumeLimits;
import dev.meshpipe.mesh.io.SyntheticVolumes;
import dev.meshpipe.mesh.mc.MarchingCubes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class TextOutTest {
    /** 3MF's ST_Number; OBJ readers take the same forms. */
    static final Pattern ST_NUMBER = Pattern.compile("[-+]?(([0-9]+(\\.[0-9]+)?)|(\\.[0-9]+))([eE][-+]?[0-9]+)?");

    static String decimal(float f) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        TextOut t = new TextOut(b);
        t.decimal(f);
        t.flush();
        return b.toString(StandardCharsets.US_ASCII);
    }

    private static void assertExact(float f) throws IOException {
        String s = decimal(f);
        assertTrue(ST_NUMBER.matcher(s).matches(), f + " -> " + s);
        assertEquals(Float.floatToIntBits(f == 0 ? 0f : f), Float.floatToIntBits(Float.parseFloat(s)), f + " -> " + s);
    }

    @Test
    void everyFloatComesBackExactly() throws IOException {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(r.nextInt());
            if (Float.isFinite(f)) {
                assertExact(f);
            }
        }
        // Millimetre coordinates: the common range, dense.
        for (int i = 0; i < 200_000; i++) {
            assertExact((float) ((r.nextDouble() - 0.5) * 2000));
        }
        for (int e = -45; e <= 38; e++) {
            float p = Float.parseFloat("1e" + e);
            assertExact(p);
            assertExact(Math.nextDown(p));
            assertExact(Math.nextUp(p));
            assertExact(-p);
        }
        for (float f : new float[] {0f, -0f, 1f, -1f, 0.1f, 0.5f, 9.99999f, 99999.99f, 1e-4f, 9.9999e-5f, 1e8f, 99999992f,
                Float.MIN_VALUE, Float.MAX_VALUE, Float.MIN_NORMAL}) {
            assertExact(f);
        }
    }

    @Test
    void marchingCubesVerticesComeBackExactly() throws IOException {
        Mesh m = MarchingCubes.extract(SyntheticVolumes.create("gyroid:48:2", VolumeLimits.defaults()), 0, true, 2);
        for (float f : m.positions()) {
            assertExact(f);
        }
    }

    @Test
    void plainFormsWithoutNeedlessDigits() throws IOException {
        assertEquals("0", decimal(0f));
        assertEquals("0", decimal(-0f));
        assertEquals("12", decimal(12f));
        assertEquals("-12.5", decimal(-12.5f));
        assertEquals("0.1", decimal(0.1f));
        assertEquals("0.00015", decimal(1.5e-4f));
        assertEquals("1.0E-4", decimal(1e-4f)); // a hair under 1e-4 as a float
        assertEquals("1.0E-5", decimal(1e-5f));
        assertEquals("123456.79", decimal(123456.789f)); // the float is 123456.7890625; .79 is nearer it than to its neighbours
        assertThrows(IllegalArgumentException.class, () -> decimal(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> decimal(Float.NEGATIVE_INFINITY));
    }

    @Test
    void integersAndXmlText() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        TextOut t = new TextOut(b);
        t.integer(0).ch(' ').integer(-7).ch(' ').integer(Integer.MAX_VALUE).ch(' ').integer(Long.MIN_VALUE).ch(' ').integer(1_000_000_000_000L);
        t.ch(' ').xml("a&b <c> \"d\" 'e' \u0001 \u00e9\u4e2d\ud83e\udde0 \ud800x");
        t.flush();
        assertEquals("0 -7 2147483647 -9223372036854775808 1000000000000 a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos;   \u00e9\u4e2d\ud83e\udde0  x",
                b.toString(StandardCharsets.UTF_8));
    }

    @Test
    void textLongerThanTheBufferPassesThrough() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        TextOut t = new TextOut(b);
        String big = "x".repeat(200_000);
        t.ch('<').ascii(big).ch('>');
        for (int i = 0; i < 100_000; i++) {
            t.decimal(-123.456f).ch(',');
        }
        t.flush();
        String s = b.toString(StandardCharsets.US_ASCII);
        assertEquals("<" + big + ">" + "-123.456,".repeat(100_000), s);
    }
}
