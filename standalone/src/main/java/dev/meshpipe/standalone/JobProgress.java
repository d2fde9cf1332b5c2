package dev.meshpipe.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows jobs' progress: on a terminal, one live progress bar per job with its state and stage
 * (me.tongfei:progressbar); otherwise (a pipe, a log file, CI) a plain line whenever a job's
 * state or stage changes.
 */
final class JobProgress implements AutoCloseable {
    private final boolean terminal;
    private final PrintStream out;
    private final Map<String, ProgressBar> bars = new LinkedHashMap<>();
    /** Per job, the state and stage of the last plain line: the percentage alone prints nothing. */
    private final Map<String, String> lastStep = new LinkedHashMap<>();

    JobProgress(PrintStream out) {
        this(System.console() != null, out);
    }

    JobProgress(boolean terminal, PrintStream out) {
        this.terminal = terminal;
        this.out = out;
    }

    /** Shows {@code status} (the gateway's job status) for the job labelled {@code label}. */
    void update(String label, JsonNode status) {
        String state = status.path("state").asText("?");
        // The whole job's progress (an older gateway has only the current state's).
        int progress = status.path("jobProgress").asInt(status.path("progress").asInt());
        String stage = status.path("stage").asText("");
        if (terminal) {
            ProgressBar bar = bars.computeIfAbsent(label, l -> new ProgressBarBuilder().setTaskName(l).setInitialMax(100)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(200).hideEta().build());
            bar.stepTo(progress);
            bar.setExtraMessage(state + (stage.isEmpty() ? "" : " " + stage));
            if (GatewayClient.isFinished(state)) {
                bar.close();
            }
            return;
        }
        if (!(state + " " + stage).equals(lastStep.put(label, state + " " + stage))) {
            out.println(String.format(Locale.ROOT, "%-24s %-10s %3d%%  %s", label, state, progress, stage));
        }
    }

    @Override
    public void close() {
        bars.values().forEach(ProgressBar::close);
    }
}
