package dev.meshpipe.standalone;

import java.util.Map;

/**
 * The CLI client's defaults from the environment, which its {@code --server} and {@code --token}
 * options override.
 *
 * @param server MESHPIPE_SERVER: the gateway's URL
 * @param token  MESHPIPE_TOKEN: a bearer token, or null to send none
 */
record ClientConfig(String server, String token) {
    static final String DEFAULT_SERVER = "http://localhost:8080";

    static ClientConfig fromEnv() {
        return fromEnv(dev.meshpipe.common.MeshpipeConfig.environment());
    }

    static ClientConfig fromEnv(Map<String, String> env) {
        return new ClientConfig(env.getOrDefault("MESHPIPE_SERVER", DEFAULT_SERVER), env.get("MESHPIPE_TOKEN"));
    }
}
