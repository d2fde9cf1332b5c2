package dev.meshpipe.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command in the docs is run by a test or CI, or at least checked here:
 * {@code ./meshpipe} lines parse with the real CLI (PipelineTest also runs the client ones
 * against a gateway, MeshCommandTest runs {@code mesh}, CI runs {@code demo} and {@code ./mvnw verify});
 * {@code curl} lines run in PipelineTest; scripts exist and pass {@code bash -n}; {@code docker
 * compose} lines name services of docker-compose.yml (no Docker engine here); files copied exist.
 */
class DocsCommandsTest {

    @Test
    void everyCommandInTheDocsIsKnownAndWellFormed() throws Exception {
        List<DocsCommands.Command> commands = DocsCommands.all();
        assertTrue(commands.size() >= 10, "found only " + commands);
        String compose = Files.readString(DocsCommands.ROOT.resolve("docker-compose.yml"));
        for (DocsCommands.Command c : commands) {
            List<String> a = c.args();
            switch (c.program()) {
                case "./meshpipe" -> {
                    String[] args = a.subList(1, a.size()).stream().map(s -> s.replace("$ID", "job-1")).toArray(String[]::new);
                    try {
                        new CommandLine(new MeshpipeCli()).parseArgs(args);
                    } catch (CommandLine.ParameterException e) {
                        fail(c + ": " + e.getMessage());
                    }
                }
                case "./mvnw" -> {
                    // CI runs ./mvnw verify; other forms (the long reliability runs) must name a goal and existing tests.
                    assertTrue(a.contains("verify") || a.contains("test"), c.toString());
                    for (String arg : a) {
                        if (arg.startsWith("-Dtest=")) {
                            for (String t : arg.substring(7).split(",")) {
                                String cls = t.split("#")[0];
                                try (var files = Files.walk(DocsCommands.ROOT, 9)) {
                                    assertTrue(files.anyMatch(f -> f.getFileName().toString().equals(cls + ".java") && f.toString().contains("/src/test/java/")),
                                            c + ": no test class " + cls);
                                }
                            }
                        }
                    }
                }
                case "bash" -> {
                    Path script = DocsCommands.ROOT.resolve(a.get(1));
                    assertTrue(Files.isRegularFile(script), c + ": no such script");
                    Process p = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
                    assertEquals(0, p.waitFor(), c + ": " + new String(p.getInputStream().readAllBytes()));
                }
                case "cp" -> assertTrue(Files.exists(DocsCommands.ROOT.resolve(a.get(1))), c + ": no such file");
                case "docker" -> {
                    assertEquals("compose", a.get(1), c.toString());
                    for (int i = 0; i < a.size(); i++) {
                        if (a.get(i).equals("--scale")) {
                            String service = a.get(i + 1).split("=")[0];
                            assertTrue(compose.contains("\n  " + service + ":"), c + ": no service " + service);
                        }
                    }
                }
                case "curl" -> assertFalse(a.isEmpty()); // run against a gateway in PipelineTest
                default -> fail(c + ": no test covers " + c.program() + " commands yet");
            }
        }
    }
}
