package io.scanstream.local;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free ports for stacks started by tests and benchmarks. They come from below the kernel's ephemeral range (32768+
 * on Linux): a port from {@code new ServerSocket(0)} is ephemeral, and any outgoing connection (a Kafka client's)
 * could be given it before the service binds it, so the stack would not start. A port handed out once in this JVM
 * is never handed out again.
 */
public final class FreePorts {

    static final int RANGE_START = 20000;
    static final int RANGE_SIZE = 12000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port that was free when picked, in [20000, 32000), not handed out before in this JVM. */
    public static int next() throws IOException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = RANGE_START + random.nextInt(RANGE_SIZE);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port)) {
                return port;
            } catch (IOException taken) {
                // in use by another process: try another (it stays marked, it is not ours to give)
            }
        }
        throw new IOException("no free port found in " + RANGE_START + ".." + (RANGE_START + RANGE_SIZE));
    }
}
