package dev.meshpipe.standalone;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Log levels set from code, for commands whose own output is the point. */
final class Logging {
    private Logging() {}

    /** Only warnings and errors from the services, so the demo's own lines stay readable. */
    static void quiet() {
        ((Logger) LoggerFactory.getLogger("dev.meshpipe")).setLevel(Level.WARN);
    }
}
