package dev.meshpipe.common.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Objects as files under a root directory. Writes go to a temporary file in {@code .tmp/} and are
 * renamed into place on close, so a reader never sees a partial object.
 */
public final class FileObjectStore implements ObjectStore {
    private final Path root;
    private final Path tmp;

    public FileObjectStore(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve(".tmp");
        Files.createDirectories(tmp);
    }

    public Path root() {
        return root;
    }

    private Path pathOf(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.contains("\\") || key.startsWith(".tmp")) {
            throw new IllegalArgumentException("bad object key: " + key);
        }
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IllegalArgumentException("object key escapes the store: " + key);
        }
        return p;
    }

    @Override
    public Upload create(String key) throws IOException {
        Path target = pathOf(key);
        Path temp = tmp.resolve(UUID.randomUUID() + ".part");
        OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new Upload() {
            private boolean aborted;
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
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
                out.close();
                if (aborted) {
                    Files.deleteIfExists(temp);
                    return;
                }
                Files.createDirectories(target.getParent());
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        };
    }

    @Override
    public InputStream open(String key, long offset, long length) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(pathOf(key), StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(key);
        }
        ch.position(offset);
        InputStream in = Channels.newInputStream(ch);
        return length < 0 ? in : new BoundedInputStream(in, length);
    }

    @Override
    public Optional<ObjectInfo> head(String key) throws IOException {
        Path p = pathOf(key);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return a.isRegularFile() ? Optional.of(new ObjectInfo(key, a.size(), a.lastModifiedTime().toInstant())) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Path p = pathOf(key);
        Files.deleteIfExists(p);
        // Drop directories left empty, up to the root.
        for (Path d = p.getParent(); d != null && !d.equals(root); d = d.getParent()) {
            try (Stream<Path> s = Files.list(d)) {
                if (s.findAny().isPresent()) {
                    break;
                }
            } catch (NoSuchFileException e) {
                continue;
            }
            Files.deleteIfExists(d);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        // Only the directory the prefix names can hold its keys: walking the whole root made the
        // packager's two look-ups a job cost as much as all the objects stored (a quarter of a
        // tiny job's CPU after a thousand jobs, docs/benchmarks.md).
        Path start = directoryOf(prefix);
        if (!Files.isDirectory(start)) {
            return out;
        }
        try (Stream<Path> s = walk(start)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.startsWith(tmp) || !Files.isRegularFile(p)) {
                    continue;
                }
                String key = root.relativize(p).toString().replace('\\', '/');
                if (key.startsWith(prefix)) {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    out.add(new ObjectInfo(key, a.size(), a.lastModifiedTime().toInstant()));
                }
            }
        }
        out.sort((a, b) -> a.key().compareTo(b.key()));
        return out;
    }

    /** Files.walk, or nothing if {@code start} went away since it was looked at (a job's work files deleted meanwhile). */
    private static Stream<Path> walk(Path start) throws IOException {
        try {
            return Files.walk(start);
        } catch (NoSuchFileException e) {
            return Stream.empty();
        }
    }

    /** The deepest directory holding every key that starts with {@code prefix}: "work/j1/" gives work/j1, "results/ab" results, "ab" the root. */
    private Path directoryOf(String prefix) {
        int slash = prefix.lastIndexOf('/');
        if (slash <= 0 || prefix.contains("\\")) {
            return root;
        }
        Path d = root.resolve(prefix.substring(0, slash)).normalize();
        return d.startsWith(root) ? d : root;
    }

    @Override
    public java.util.OptionalLong usableSpace() throws IOException {
        return java.util.OptionalLong.of(Files.getFileStore(tmp).getUsableSpace());
    }

    @Override
    public int deleteAbandonedWrites(java.time.Instant cutoff) throws IOException {
        int deleted = 0;
        try (Stream<Path> s = Files.list(tmp)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff) && Files.deleteIfExists(p)) {
                        deleted++;
                    }
                } catch (NoSuchFileException e) {
                    // renamed into place or aborted meanwhile
                }
            }
        }
        return deleted;
    }

    /** Stops after {@code remaining} bytes. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
