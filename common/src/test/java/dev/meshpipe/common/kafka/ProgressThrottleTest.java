package dev.meshpipe.common.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Only what does not depend on the clock: which reports pass at once and which never do. */
class ProgressThrottleTest {
    @Test
    void eachNewStepPassesAtOnceCappedBelowAHundred() {
        List<String> sent = new ArrayList<>();
        ProgressThrottle t = ProgressThrottle.perStep((p, s) -> sent.add(s + " " + p));
        t.report(5, "loading");
        t.report(40, "extracting");
        t.report(100, "writing");
        assertEquals(List.of("loading 5", "extracting 40", "writing 99"), sent);
    }

    @Test
    void risingProgressNeverRepeatsAPercentage() {
        List<Integer> sent = new ArrayList<>();
        ProgressThrottle t = ProgressThrottle.rising("compressing", (p, s) -> sent.add(p));
        for (int i = 0; i < 1000; i++) {
            t.report(0, "compressing");
        }
        assertEquals(List.of(), sent, "0% was reported when the step began");
    }
}
