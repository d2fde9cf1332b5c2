package dev.meshpipe.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.mesh.VolumeLimits;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A JSON body of the wrong shape is refused with the field and what it may hold, in the words of
 * the JSON the caller wrote: never Jackson's message, which names Java classes.
 */
class JsonRequestErrorsTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"input\":{\"synthetic\":\"torus:16\"},\"params\":{\"formats\":[\"stl\",\"fbx\"]}} | params.formats[1]: unknown value 'fbx' (expected stl, ply, obj, glb, 3mf)",
        "{\"input\":{\"synthetic\":\"torus:16\"},\"params\":{\"borders\":\"maybe\"}}         | params.borders: unknown value 'maybe' (expected closed, open)",
        "{\"input\":{\"synthetic\":\"torus:16\"},\"params\":{\"formats\":\"stl\"}}          | params.formats: expected a list",
        "{\"input\":{\"synthetic\":\"torus:16\"},\"params\":{\"iso\":{\"a\":1}}}            | params.iso: expected a string",
        "{\"input\":{\"synthetic\":\"torus:16\"},\"params\":[1]}                           | params: expected an object",
        "{\"input\":{\"volume\":\"x\"}}                                                    | input: not one of the forms it can take",
        "{\"input\":                                                                       | request body is not valid JSON: Unexpected end-of-input",
    })
    void wrongShapesNameTheFieldNotAJavaClass(String body, String expected) {
        MeshpipeException e = assertThrows(MeshpipeException.class,
                () -> SubmissionRequests.parseJson(body.getBytes(StandardCharsets.UTF_8), VolumeLimits.defaults()));
        assertEquals(ErrorCode.INVALID_PARAMETER, e.code());
        String m = e.getMessage();
        assertTrue(m.contains(expected), m);
        for (String java : new String[] {"dev.meshpipe", "com.fasterxml", "java.", "`", "Cannot deserialize", "StreamReadFeature"}) {
            assertFalse(m.contains(java), m);
        }
    }
}
