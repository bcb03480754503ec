package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PortAllocatorTest {

  @Test
  @DisplayName("ports are distinct, bindable, and below the ephemeral range (where outgoing connections could take them before a member binds)")
  void shouldHandOutPortsBelowTheEphemeralRange() throws Exception {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    int ephemeralStart = 32_768;
    if (Files.exists(range)) {
      try (BufferedReader reader = Files.newBufferedReader(range)) {
        ephemeralStart = Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
      }
    }
    PortAllocator ports = new PortAllocator();
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      int port = ports.next();
      assertThat(seen.add(port)).as("handed out once").isTrue();
      assertThat(port).isLessThan(ephemeralStart);
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      }
    }
  }
}
