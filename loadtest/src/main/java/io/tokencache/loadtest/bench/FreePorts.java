package io.tokencache.loadtest.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Prints N distinct free TCP ports on 127.0.0.1, one per line, for {@code loadtest/bench/run.sh}. All
 * probe sockets stay bound until every port is chosen, so the N ports differ; the window between
 * closing them and the servers binding them is acceptable on a bench machine.
 */
public final class FreePorts {

  private FreePorts() {}

  static Set<Integer> pick(int n) {
    Set<Integer> ports = new LinkedHashSet<>();
    ServerSocket[] held = new ServerSocket[n];
    try {
      for (int i = 0; i < n; i++) {
        held[i] = new ServerSocket();
        held[i].setReuseAddress(false);
        held[i].bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ports.add(held[i].getLocalPort());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind a probe socket on loopback", e);
    } finally {
      for (ServerSocket s : held) {
        if (s != null) {
          try {
            s.close();
          } catch (IOException ignored) {
            // probe only
          }
        }
      }
    }
    return ports;
  }

  /**
   * @param args the number of ports (default 1)
   */
  public static void main(String[] args) {
    int n = args.length == 0 ? 1 : Integer.parseInt(args[0]);
    StringBuilder out = new StringBuilder();
    pick(n).forEach(p -> out.append(p).append('\n'));
    System.out.print(out);
  }
}
