package dev.meshpipe.standalone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The shell commands in README.md and docs/*.md: lines of indented code blocks that start with a
 * command (continuation lines joined). Tests run or check every one, so none goes stale.
 */
final class DocsCommands {
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    /** The commands the docs may show; a code line starting with anything else is a diagram or data. */
    static final Set<String> PROGRAMS = Set.of("./meshpipe", "./mvnw", "curl", "bash", "cp", "docker", "node", "npm", "java");

    record Command(Path file, int line, String text) {
        String program() {
            return text.split("\\s+")[0];
        }

        List<String> args() {
            return Shell.split(text);
        }

        @Override
        public String toString() {
            return ROOT.relativize(file) + ":" + line + ": " + text;
        }
    }

    private DocsCommands() {}

    static List<Path> docs() throws IOException {
        List<Path> out = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
        }
        return out;
    }

    static List<Command> all() throws IOException {
        List<Command> out = new ArrayList<>();
        for (Path doc : docs()) {
            List<String> lines = Files.readAllLines(doc);
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i);
                if (!l.startsWith("    ") || l.isBlank()) {
                    continue;
                }
                String t = l.strip();
                int start = i;
                while (t.endsWith("\\") && i + 1 < lines.size()) {
                    t = t.substring(0, t.length() - 1).strip() + " " + lines.get(++i).strip();
                }
                int hash = t.indexOf("  #");
                if (hash > 0) {
                    t = t.substring(0, hash).strip(); // a trailing comment
                }
                if (PROGRAMS.contains(t.split("\\s+")[0])) {
                    out.add(new Command(doc, start + 1, t));
                }
            }
        }
        return out;
    }

    /** Splits a command line as a POSIX shell would for these simple cases: words, 'single' and "double" quotes. */
    static final class Shell {
        static List<String> split(String s) {
            List<String> out = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            boolean inWord = false;
            char quote = 0;
            for (char c : s.toCharArray()) {
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    } else {
                        cur.append(c);
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                    inWord = true;
                } else if (Character.isWhitespace(c)) {
                    if (inWord) {
                        out.add(cur.toString());
                        cur.setLength(0);
                        inWord = false;
                    }
                } else {
                    cur.append(c);
                    inWord = true;
                }
            }
            if (inWord) {
                out.add(cur.toString());
            }
            return out;
        }
    }
}
