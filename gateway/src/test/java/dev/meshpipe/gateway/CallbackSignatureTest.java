package dev.meshpipe.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meshpipe.common.ErrorCode;
import dev.meshpipe.common.MeshpipeException;
import dev.meshpipe.common.events.CallbackUrl;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CallbackSignatureTest {
    private static final byte[] SECRET = "whsec_test".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BODY = "{\"id\":\"job-1\",\"state\":\"SUCCEEDED\"}".getBytes(StandardCharsets.UTF_8);

    /** The vector from `printf '%s' '1700000000.{"id":"job-1","state":"SUCCEEDED"}' | openssl dgst -sha256 -hmac whsec_test`. */
    @Test
    void signsTheTimestampAndBodyAsOpensslDoes() {
        assertEquals("t=1700000000,v1=01aa53fe18755765d9b4ba33d9b0d64ce18e67451723e60fe82adb86df85686f",
                CallbackSignature.header(SECRET, 1_700_000_000L, BODY));
    }

    @Test
    void aReceiverAcceptsAFreshSignatureAndRefusesAnOldOneOrAnotherBody() {
        String h = CallbackSignature.header(SECRET, 1_700_000_000L, BODY);
        assertTrue(CallbackSignature.verify(SECRET, h, BODY, 1_700_000_100L, 300));
        assertFalse(CallbackSignature.verify(SECRET, h, BODY, 1_700_000_400L, 300), "older than the tolerance");
        assertFalse(CallbackSignature.verify(SECRET, h, "{}".getBytes(StandardCharsets.UTF_8), 1_700_000_000L, 300));
        assertFalse(CallbackSignature.verify("other".getBytes(StandardCharsets.UTF_8), h, BODY, 1_700_000_000L, 300));
        assertFalse(CallbackSignature.verify(SECRET, "t=1700000000,v1=zz", BODY, 1_700_000_000L, 300));
        assertFalse(CallbackSignature.verify(SECRET, null, BODY, 1_700_000_000L, 300));
    }

    @Test
    void theUrlMustBeAbsoluteHttpWithoutUserinfoAndAtMost2048Characters() {
        assertEquals("https://example.com/hook?x=1", CallbackUrl.validated(" https://example.com/hook?x=1 "));
        for (String bad : new String[] {"", "example.com/hook", "/hook", "ftp://example.com/", "javascript:alert(1)",
                "http://user:pw@example.com/", "http:///nohost", "http://exa mple.com/", "https://example.com/#frag",
                "https://example.com/" + "a".repeat(2048)}) {
            MeshpipeException e = assertThrows(MeshpipeException.class, () -> CallbackUrl.validated(bad), bad);
            assertEquals(ErrorCode.INVALID_CALLBACK_URL, e.code(), bad);
        }
    }

    @Test
    void privateAddressesAreRefusedUnlessAllowed() throws Exception {
        for (String url : new String[] {"http://127.0.0.1:9/", "http://localhost/", "http://10.1.2.3/", "http://192.168.0.1/",
                "http://172.16.5.4/", "http://169.254.169.254/latest/meta-data", "http://[::1]/", "http://[fd00::1]/",
                "http://100.64.0.1/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/"}) {
            MeshpipeException e = assertThrows(MeshpipeException.class, () -> CallbackTargets.require(url, false), url);
            assertEquals(ErrorCode.INVALID_CALLBACK_URL, e.code(), url);
            CallbackTargets.require(url, true);
        }
        assertFalse(CallbackTargets.isInternal(InetAddress.getByName("93.184.215.14")));
        assertFalse(CallbackTargets.isInternal(InetAddress.getByName("2606:2800:21f:cb07:6820:80da:af6b:8b2c")));
    }

    @Test
    void pausesDoubleUpToTheCap() {
        CallbackOptions o = CallbackOptions.defaults();
        assertEquals(Duration.ofSeconds(2), o.pauseAfter(1));
        assertEquals(Duration.ofSeconds(4), o.pauseAfter(2));
        assertEquals(Duration.ofSeconds(128), o.pauseAfter(7));
        assertEquals(CallbackOptions.MAX_BACKOFF, o.pauseAfter(30));
    }
}
