package dev.meshpipe.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code meshpipe jobs}: the caller's jobs as a table, newest first ({@code GET /jobs}). */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "Lists your jobs, newest first: one page, or every page with --all.")
final class JobsCommand implements Callable<Integer> {
    @Mixin
    ClientCommands.Server server;

    @Option(names = "--state", paramLabel = "S", description = "only jobs in these states, comma-separated (e.g. SUCCEEDED,FAILED)")
    String state;

    @Option(names = "--limit", paramLabel = "N", description = "jobs per page, 1-100 (default: ${DEFAULT-VALUE})")
    int limit = 20;

    @Option(names = "--all", description = "follow the cursor to the last page")
    boolean all;

    static final String FORMAT = "%-36s  %-10s  %4s  %-20s  %s%n";

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        GatewayClient client = server.client();
        out.printf(FORMAT, "ID", "STATE", "%", "SUBMITTED", "NAME");
        String cursor = null;
        try {
            do {
                GatewayClient.Answer a = client.list(state, limit, cursor);
                if (!a.ok()) {
                    return ClientCommands.refused(a);
                }
                for (JsonNode j : a.body().path("jobs")) {
                    out.printf(FORMAT, j.path("id").asText(), j.path("state").asText(), j.path("jobProgress").asInt(),
                            submitted(j.path("submittedAt").asText("")), j.path("name").asText(""));
                }
                cursor = a.body().path("next").isTextual() ? a.body().path("next").asText() : null;
            } while (all && cursor != null);
        } catch (IOException e) {
            return ClientCommands.unreachable(server.server, e);
        }
        if (cursor != null) {
            System.err.println("(more: --all, or a larger --limit)");
        }
        return 0;
    }

    /** To the second, in UTC: enough to tell jobs apart in a table. */
    private static String submitted(String instant) {
        return instant.length() >= 19 ? instant.substring(0, 19).replace('T', ' ') : instant;
    }
}
