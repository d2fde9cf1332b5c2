package dev.meshpipe.common;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * meshpipe's version, from the build (the parent pom's version, filtered into version.properties),
 * so {@code --version}, manifest.json and anything else that shows it cannot disagree.
 */
public final class Version {
    private static final String VERSION = load();

    private Version() {}

    public static String get() {
        return VERSION;
    }

    private static String load() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown": a version is worth no failure
        }
        String v = p.getProperty("version", "unknown");
        return v.startsWith("${") ? "unknown" : v;
    }
}
