package io.tokencache.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Whether a port can be bound, checked before anything starts: a taken port then fails the start at once with one
 * line naming it, instead of after the cluster join with a stack from deep inside Netty or Hazelcast. A check and
 * a bind are not atomic; the bind itself still fails (later, less clearly) if another process wins the race.
 */
final class PortCheck {

  private PortCheck() {
  }

  /** An error message if {@code host:port} cannot be bound now, else {@code null}; port 0 (any) always can. */
  static String unavailable(String what, String variable, String host, int port) {
    if (port == 0) {
      return null;
    }
    InetSocketAddress address = host == null || host.isEmpty() || "0.0.0.0".equals(host)
      ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(address);
      return null;
    } catch (IOException e) {
      return what + " " + (host == null ? "" : host + ":") + port + " cannot be bound (" + e.getMessage()
        + "): another process is using it, or the address is not this host's; set " + variable;
    }
  }
}
