package dev.meshpipe.standalone;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A loopback webhook receiver for tests: records every request by path and answers a scripted status (200 by default). */
final class CallbackReceiver implements AutoCloseable {
    record Received(String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    private final HttpServer server;
    private final Map<String, BlockingQueue<Received>> received = new ConcurrentHashMap<>();
    private final Map<String, Deque<Integer>> answers = new ConcurrentHashMap<>();

    CallbackReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            queue(path).add(new Received(path, Map.copyOf(exchange.getRequestHeaders()), body));
            Deque<Integer> script = answers.get(path);
            Integer code;
            synchronized (this) {
                code = script == null ? null : script.poll();
            }
            exchange.sendResponseHeaders(code == null ? 200 : code, -1);
            exchange.close();
        });
        server.start();
    }

    /** The URL of {@code path} on this receiver. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Answers {@code path}'s next requests with these statuses, then 200. */
    void script(String path, Integer... codes) {
        answers.put(path, new ArrayDeque<>(List.of(codes)));
    }

    /** The next request to {@code path}, waiting up to {@code timeout}; null if none came. */
    Received next(String path, Duration timeout) throws InterruptedException {
        return queue(path).poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private BlockingQueue<Received> queue(String path) {
        return received.computeIfAbsent(path, p -> new LinkedBlockingQueue<>());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
