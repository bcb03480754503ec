package io.tokencache.loadtest.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Picks free TCP ports on 127.0.0.1 at run time, never the same one twice. A port is free when the
 * OS hands it out for an ephemeral bind; the small window between closing the probe socket and the
 * server binding it is acceptable on a test machine.
 */
public final class PortAllocator {

  private static final int ATTEMPTS = 50;
  private final Set<Integer> handedOut = new HashSet<>();

  /**
   * @return a free port on 127.0.0.1 not handed out by this allocator before
   * @throws UncheckedIOException when no port could be found
   */
  public synchronized int next() {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = probe();
      if (handedOut.add(port)) {
        return port;
      }
    }
    throw new UncheckedIOException(new IOException("no free port found on 127.0.0.1 after " + ATTEMPTS + " attempts"));
  }

  private static int probe() {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind a probe socket on loopback", e);
    }
  }
}
