package dev.meshpipe.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Range, If-Range and If-None-Match as RFC 9110 defines them. */
class ByteRangeTest {
    static final long SIZE = 1000;

    static void assertRange(String header, long first, long last) {
        ByteRange r = ByteRange.parse(header, SIZE);
        assertEquals(ByteRange.Kind.RANGE, r.kind(), header);
        assertEquals(first, r.first(), header);
        assertEquals(last, r.last(), header);
    }

    static void assertKind(String header, ByteRange.Kind kind) {
        assertEquals(kind, ByteRange.parse(header, SIZE).kind(), header);
    }

    @Test
    void singleRangesAreServed() {
        assertRange("bytes=0-99", 0, 99);
        assertRange("bytes=900-", 900, 999);
        assertRange("bytes=-100", 900, 999);
        assertRange("bytes=990-2000", 990, 999);
        assertRange("Bytes=0-0", 0, 0);
        assertRange(" bytes=5-9 ", 5, 9);
    }

    @Test
    void hugeButValidPositionsMeanTheWholeFile() {
        assertRange("bytes=0-99999999999999999999", 0, 999);
        assertRange("bytes=-99999999999999999999", 0, 999);
        assertRange("bytes=0-9223372036854775807", 0, 999);
        assertKind("bytes=99999999999999999999-", ByteRange.Kind.UNSATISFIABLE);
    }

    @Test
    void unparsableRangesAreIgnored() {
        for (String h : new String[] {"bytes=abc", "bytes=1-x", "bytes=", "bytes=5", "bytes=--5", "bytes=5-3", "bytes=1-2,x",
                "bytes=+1-2", "bytes=-", "items=0-5", "bytes 0-5", ""}) {
            assertKind(h, ByteRange.Kind.IGNORE);
        }
    }

    @Test
    void rangesNoByteSatisfiesAreRefused() {
        assertKind("bytes=1000-", ByteRange.Kind.UNSATISFIABLE);
        assertKind("bytes=5000-6000", ByteRange.Kind.UNSATISFIABLE);
        assertKind("bytes=-0", ByteRange.Kind.UNSATISFIABLE);
        assertKind("bytes=1000-1001, 2000-2001", ByteRange.Kind.UNSATISFIABLE);
        assertEquals(ByteRange.Kind.UNSATISFIABLE, ByteRange.parse("bytes=0-5", 0).kind());
    }

    @Test
    void severalRangesGetTheWholeFile() {
        assertKind("bytes=0-1, 5-6", ByteRange.Kind.IGNORE);
        assertKind("bytes=0-1, 5000-6000", ByteRange.Kind.IGNORE);
    }

    @Test
    void ifNoneMatchUsesWeakComparison() {
        String etag = "\"abc\"";
        assertTrue(Conditionals.noneMatchHits("\"abc\"", etag));
        assertTrue(Conditionals.noneMatchHits("W/\"abc\"", etag));
        assertTrue(Conditionals.noneMatchHits("\"x\", W/\"abc\"", etag));
        assertTrue(Conditionals.noneMatchHits("*", etag));
        assertFalse(Conditionals.noneMatchHits("\"abd\"", etag));
        assertFalse(Conditionals.noneMatchHits("abc", etag));
        assertFalse(Conditionals.noneMatchHits(null, etag));
    }

    @Test
    void ifRangeHonoursARangeOnlyForTheSameStrongTag() {
        String etag = "\"abc\"";
        assertTrue(Conditionals.rangeApplies(null, etag));
        assertTrue(Conditionals.rangeApplies("\"abc\"", etag));
        assertFalse(Conditionals.rangeApplies("\"old\"", etag));
        assertFalse(Conditionals.rangeApplies("W/\"abc\"", etag), "If-Range needs strong comparison");
        assertFalse(Conditionals.rangeApplies("Wed, 21 Oct 2015 07:28:00 GMT", etag), "no Last-Modified is sent, so no date matches");
        assertFalse(Conditionals.rangeApplies("\"abc\"", null));
    }
}
