package dev.meshpipe.gateway;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.JobId;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.JobParams;
import dev.meshpipe.common.store.ObjectKeys;
import dev.meshpipe.mesh.VolumeLimits;
import java.util.Set;

/**
 * Coverage-guided fuzzing (Jazzer) of what the gateway parses from requests: the JSON body of
 * {@code POST /jobs}, the upload's query parameters, {@code Range} headers and job ids in paths.
 * {@code ./mvnw verify} replays the seeds in {@code HttpInputFuzzTestInputs/}; {@code tools/fuzz.sh}
 * fuzzes. Each input is accepted or refused with a documented code, never another exception.
 */
class HttpInputFuzzTest {
    static final VolumeLimits LIMITS = VolumeLimits.defaults();

    @FuzzTest(maxDuration = "10m")
    void jsonRequests(byte[] body) {
        try {
            SubmissionRequests.JsonRequest r = SubmissionRequests.parseJson(body, LIMITS);
            if (r.input() == null || r.params() == null) {
                throw new AssertionError("accepted a request without input or params");
            }
        } catch (MeshpipeException e) {
            expect(e, ErrorCode.INVALID_PARAMETER, ErrorCode.UNSUPPORTED_INPUT, ErrorCode.VOLUME_TOO_LARGE, ErrorCode.INVALID_SUBMISSION);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void uploadQueryParameters(FuzzedDataProvider d) {
        String iso = d.consumeBoolean() ? null : d.consumeString(40);
        String borders = d.consumeBoolean() ? null : d.consumeString(20);
        String formats = d.consumeBoolean() ? null : d.consumeString(40);
        String space = d.consumeBoolean() ? null : d.consumeString(10);
        String name = d.consumeBoolean() ? null : d.consumeRemainingAsString();
        try {
            java.util.Map<String, String> q = new java.util.HashMap<>();
            q.put("iso", iso);
            q.put("borders", borders);
            q.put("formats", formats);
            q.put("space", space);
            q.put("name", name);
            JobParams p = JobParams.fromQuery(q::get);
            if (p.iso() != null && !p.isAutoIso() && !Double.isFinite(Double.parseDouble(p.iso()))) {
                throw new AssertionError("accepted iso " + p.iso());
            }
        } catch (MeshpipeException e) {
            expect(e, ErrorCode.INVALID_PARAMETER);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void rangeHeaders(FuzzedDataProvider d) {
        long size = d.consumeLong(0, 1L << 40);
        String header = d.consumeRemainingAsString();
        ByteRange r = ByteRange.parse(header, size);
        if (r.kind() == ByteRange.Kind.RANGE && (r.first() < 0 || r.last() < r.first() || r.last() >= size)) {
            throw new AssertionError("range " + r.first() + "-" + r.last() + " of " + size + " from '" + header + "'");
        }
    }

    @FuzzTest(maxDuration = "10m")
    void jobIdsNeverEscapeTheirKeys(String id) {
        if (!JobId.isValid(id)) {
            return;
        }
        for (String key : new String[] {ObjectKeys.result(id), ObjectKeys.preview(id), ObjectKeys.viewerGlb(id), ObjectKeys.input(id)}) {
            if (key.contains("..") || key.contains("//") || key.contains("\\") || key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new AssertionError("job id '" + id + "' makes key '" + key + "'");
            }
        }
    }

    private static void expect(MeshpipeException e, ErrorCode... codes) {
        if (!Set.of(codes).contains(e.code())) {
            throw new AssertionError("undocumented code " + e.code() + ": " + e.getMessage(), e);
        }
    }
}
