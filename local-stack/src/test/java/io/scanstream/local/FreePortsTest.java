package io.scanstream.local;

import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FreePortsTest {

    @Test
    void handsOutDistinctBindablePortsBelowTheEphemeralRange() throws Exception {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.next();
            assertThat(port).isBetween(FreePorts.RANGE_START, FreePorts.RANGE_START + FreePorts.RANGE_SIZE - 1)
                    .isLessThan(32768);
            assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
        }
        int port = FreePorts.next();
        try (ServerSocket bound = new ServerSocket(port)) {
            assertThat(bound.getLocalPort()).isEqualTo(port);
        }
    }
}
