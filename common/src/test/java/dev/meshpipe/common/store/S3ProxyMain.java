package dev.meshpipe.common.store;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * A real S3-protocol server (s3proxy) over a directory, as a process of its own, so tests can stop
 * it and start it again as an outage would: {@code S3ProxyMain PORT DIR}. It runs in its own JVM
 * because s3proxy brings Jetty 12 and the gateway runs on Jetty 11. The standalone tests find its
 * classpath in {@code common/target/test-classpath.txt}, written by the build.
 */
public final class S3ProxyMain {
    private S3ProxyMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[1]));
        S3Proxy proxy = start(new FilesystemNio2BlobStore(dir.toString()), Integer.parseInt(args[0]));
        System.out.println("s3proxy up on " + proxy.getPort());
        Thread.currentThread().join();
    }

    /** An anonymous S3 server over {@code blobs} on {@code port} (0: any free one), started. */
    static S3Proxy start(BlobStore blobs, int port) throws Exception {
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobs)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.NONE, null, null)
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        while (!proxy.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
        return proxy;
    }
}
