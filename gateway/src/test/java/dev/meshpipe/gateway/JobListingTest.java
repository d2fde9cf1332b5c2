package dev.meshpipe.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.JobState;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The index's keys and the cursor: their order is the listing's, and a cursor reads back as the place it names. */
class JobListingTest {

    @Test
    void keysSortNewestFirstThenByIdAndNameTheirPlace() {
        String s = JobListing.scopeOf("acme");
        String newer = JobListing.key(s, 2_000, "b");
        String olderA = JobListing.key(s, 1_000, "a");
        String olderB = JobListing.key(s, 1_000, "b");
        assertTrue(newer.compareTo(olderA) < 0 && olderA.compareTo(olderB) < 0);
        assertEquals(new JobListing.Position(1_000, "b"), JobListing.positionOf(olderB));
        JobListing.Query after = new JobListing.Query(s, new JobListing.Position(1_000, "a"), Set.of(), 10);
        assertTrue(JobListing.from(after).compareTo(olderA) > 0 && JobListing.from(after).compareTo(olderB) < 0, "a page starts just past its cursor");
        assertTrue(JobListing.to(after).compareTo(JobListing.key(s, 0, "zzz")) > 0);
        assertTrue(JobListing.key(JobListing.scopeOf("acme2"), 5_000, "x").compareTo(JobListing.to(after)) > 0,
                "another tenant's keys lie outside the scan, even one whose name starts the same");
    }

    @Test
    void aCursorReadsBackAndAnythingElseIsRefused() {
        JobListing.Position p = new JobListing.Position(1_764_586_000_123L, "job-1");
        assertEquals(p, JobListing.Position.ofCursor(p.cursor()));
        for (String bad : List.of("", "!!", "MTox", p.cursor() + "x", java.util.Base64.getUrlEncoder().encodeToString("2:1:a".getBytes()))) {
            MeshpipeException e = assertThrows(MeshpipeException.class, () -> JobListing.Position.ofCursor(bad), bad);
            assertEquals("cursor", e.details().get("parameter"));
        }
    }

    @Test
    void pagesOfSeveralInstancesMergeInOrderAndAreCut() {
        JobListing.Item a = new JobListing.Item(3, "a", null);
        JobListing.Item b = new JobListing.Item(2, "b", null);
        JobListing.Item c = new JobListing.Item(2, "c", null);
        JobListing.Item d = new JobListing.Item(1, "d", null);
        assertEquals(List.of(a, b, c), JobListing.merge(List.of(List.of(b, d), List.of(a, c)), 3));
        assertEquals(Set.of(JobState.FAILED, JobState.QUEUED), JobListing.parseStates(" failed,QUEUED"));
        assertEquals("QUEUED,FAILED", JobListing.formatStates(Set.of(JobState.FAILED, JobState.QUEUED)));
    }
}
