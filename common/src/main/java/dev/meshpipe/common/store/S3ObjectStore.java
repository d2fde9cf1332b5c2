package dev.meshpipe.common.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects in an S3-compatible bucket (AWS S3, MinIO) through the AWS SDK v2. Uploads of unknown
 * length are multipart uploads, published when completed, so a reader sees the whole object or
 * none; credentials come from the SDK's default provider chain. Every SDK failure becomes an
 * {@link IOException}, which the services treat as storage being unavailable.
 */
public final class S3ObjectStore implements ObjectStore {
    /** Parts are buffered one at a time: memory per upload is this, whatever the object's size. */
    static final int PART_SIZE = 8 * 1024 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    public S3ObjectStore(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix == null || prefix.isEmpty() ? "" : prefix.endsWith("/") ? prefix : prefix + "/";
    }

    /**
     * {@code s3://bucket[/prefix]}; endpoint (for MinIO and other S3-compatible servers), region
     * and path-style addressing as given, else the SDK's defaults.
     */
    public static S3ObjectStore open(String spec, String endpoint, String region, boolean pathStyle) {
        String rest = spec.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        S3ClientBuilder b = S3Client.builder()
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .region(Region.of(region == null || region.isBlank() ? "us-east-1" : region))
                .forcePathStyle(pathStyle);
        if (endpoint != null && !endpoint.isBlank()) {
            b.endpointOverride(URI.create(endpoint));
        }
        return new S3ObjectStore(b.build(), bucket, prefix);
    }

    private String k(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.contains("..") || key.contains("\\")) {
            throw new IllegalArgumentException("bad object key: " + key);
        }
        return prefix + key;
    }

    @Override
    public Upload create(String key) {
        String full = k(key);
        return new Upload() {
            private final ByteArrayOutputStream part = new ByteArrayOutputStream(1 << 16);
            private final List<CompletedPart> parts = new ArrayList<>();
            private String uploadId;
            private boolean aborted;
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                part.write(b);
                flushIfFull();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    int n = Math.min(len, PART_SIZE - part.size());
                    part.write(b, off, n);
                    off += n;
                    len -= n;
                    flushIfFull();
                }
            }

            private void flushIfFull() throws IOException {
                if (part.size() >= PART_SIZE) {
                    sendPart();
                }
            }

            private void sendPart() throws IOException {
                try {
                    if (uploadId == null) {
                        uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(full)).uploadId();
                    }
                    int number = parts.size() + 1;
                    String etag = s3.uploadPart(r -> r.bucket(bucket).key(full).uploadId(uploadId).partNumber(number),
                            RequestBody.fromBytes(part.toByteArray())).eTag();
                    parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                    part.reset();
                } catch (SdkException e) {
                    throw new IOException("S3 upload of " + full + " failed: " + e.getMessage(), e);
                }
            }

            @Override
            public void abort() {
                aborted = true;
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    if (aborted) {
                        if (uploadId != null) {
                            s3.abortMultipartUpload(r -> r.bucket(bucket).key(full).uploadId(uploadId));
                        }
                        return;
                    }
                    if (uploadId == null) {
                        // Small enough for one request.
                        s3.putObject(r -> r.bucket(bucket).key(full), RequestBody.fromBytes(part.toByteArray()));
                        return;
                    }
                    if (part.size() > 0) {
                        sendPart();
                    }
                    s3.completeMultipartUpload(r -> r.bucket(bucket).key(full).uploadId(uploadId)
                            .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
                } catch (SdkException e) {
                    try {
                        if (uploadId != null) {
                            s3.abortMultipartUpload(r -> r.bucket(bucket).key(full).uploadId(uploadId));
                        }
                    } catch (SdkException ignored) {
                        // the bucket's lifecycle rules clean up what is left
                    }
                    throw new IOException("S3 upload of " + full + " failed: " + e.getMessage(), e);
                }
            }
        };
    }

    @Override
    public InputStream open(String key, long offset, long length) throws IOException {
        String full = k(key);
        try {
            String range = offset == 0 && length < 0 ? null
                    : "bytes=" + offset + "-" + (length < 0 ? "" : String.valueOf(offset + length - 1));
            return s3.getObject(r -> r.bucket(bucket).key(full).range(range));
        } catch (NoSuchKeyException e) {
            throw new ObjectNotFoundException(key);
        } catch (SdkException e) {
            throw new IOException("S3 read of " + full + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        String full = k(key);
        try {
            HeadObjectResponse h = s3.headObject(r -> r.bucket(bucket).key(full));
            return Optional.of(new ObjectInfo(key, h.contentLength(), h.lastModified()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw new IOException("S3 head of " + full + " failed: " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("S3 head of " + full + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        String full = k(key);
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(full));
        } catch (SdkException e) {
            throw new IOException("S3 delete of " + full + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<ObjectInfo> list(String keyPrefix) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix + keyPrefix)).contents()) {
                out.add(new ObjectInfo(o.key().substring(prefix.length()), o.size(), o.lastModified()));
            }
        } catch (SdkException e) {
            throw new IOException("S3 list of " + prefix + keyPrefix + " failed: " + e.getMessage(), e);
        }
        out.sort((a, b) -> a.key().compareTo(b.key()));
        return out;
    }

    @Override
    public void close() {
        s3.close();
    }
}
