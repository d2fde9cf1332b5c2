package dev.meshpipe.common.store;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 backend against a real S3-protocol server in this process (s3proxy, in memory). */
class S3ObjectStoreTest extends ObjectStoreContract {
    S3Proxy proxy;
    S3ObjectStore store;
    TransientNio2BlobStore blobs;

    @Override
    ObjectStore store() throws Exception {
        blobs = new TransientNio2BlobStore();
        proxy = startProxy(0);
        S3Client s3 = S3Client.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + proxy.getPort()))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .build();
        s3.createBucket(r -> r.bucket("meshpipe"));
        store = new S3ObjectStore(s3, "meshpipe", "tenant-prefix");
        return store;
    }

    /** The S3 server, on {@code port} (0: any free one), over the same blobs each time, as a restarted server over its disks. */
    S3Proxy startProxy(int port) throws Exception {
        return S3ProxyMain.start(blobs, port);
    }

    @AfterEach
    void stop() throws Exception {
        if (store != null) {
            store.close();
        }
        if (proxy != null && proxy.getState().equals("STARTED")) {
            proxy.stop();
        }
    }

    @Test
    void anOutageIsAnIOExceptionNotACrash() throws Exception {
        ObjectStore s = store();
        s.put("results/x.zip", new byte[] {1});
        proxy.stop();
        assertThrows(IOException.class, () -> s.head("results/x.zip"));
        assertThrows(IOException.class, () -> s.open("results/x.zip"));
        assertThrows(IOException.class, () -> s.list("results/"));
        assertThrows(IOException.class, () -> s.put("results/y.zip", new byte[] {2}));
    }

    /** The server stops and starts again: the same client carries on, and nothing stored is lost. */
    @Test
    void theSameStoreWorksAgainWhenTheServerReturns() throws Exception {
        ObjectStore s = store();
        s.put("results/x.zip", new byte[] {1, 2, 3});
        int port = proxy.getPort();
        proxy.stop();
        assertThrows(IOException.class, () -> s.put("results/y.zip", new byte[] {4}));
        proxy = startProxy(port);
        s.put("results/y.zip", new byte[] {4});
        try (java.io.InputStream in = s.open("results/x.zip")) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(new byte[] {1, 2, 3}, in.readAllBytes());
        }
        org.junit.jupiter.api.Assertions.assertEquals(2, s.list("results/").size());
    }
}
