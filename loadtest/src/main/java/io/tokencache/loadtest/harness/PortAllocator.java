package io.tokencache.loadtest.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks free TCP ports on 127.0.0.1 at run time, never the same one twice, below the OS's ephemeral range. A
 * member's ports are picked when the run starts and bound when the member starts, maybe a minute later: a port of
 * the ephemeral range may meanwhile become the local end of an outgoing connection (members connect to each
 * other all the time), and the member would then fail to bind it. Below that range only a listening socket takes
 * a port, and this allocator checks none does. The window between the check and the bind is acceptable on a test
 * machine.
 */
public final class PortAllocator {

  private static final int ATTEMPTS = 200;
  /** The lowest port picked: above the ports services usually listen on. */
  private static final int LOWEST = 20_000;
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  /** Linux's default start of the ephemeral range, where it cannot be read. */
  private static final int DEFAULT_EPHEMERAL_START = 32_768;

  private final Set<Integer> handedOut = new HashSet<>();
  private final int highest = ephemeralStart() - 1;

  /**
   * @return a free port on 127.0.0.1 not handed out by this allocator before
   * @throws UncheckedIOException when no port could be found
   */
  public synchronized int next() {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
      if (!handedOut.contains(port) && free(port)) {
        handedOut.add(port);
        return port;
      }
    }
    throw new UncheckedIOException(new IOException("no free port found on 127.0.0.1 between " + LOWEST + " and "
        + highest + " after " + ATTEMPTS + " attempts"));
  }

  /**
   * Prints N distinct free ports, one per line, for {@code loadtest/bench/run.sh}.
   *
   * @param args the number of ports (default 1)
   */
  public static void main(String[] args) {
    PortAllocator ports = new PortAllocator();
    for (int n = args.length == 0 ? 1 : Integer.parseInt(args[0]); n > 0; n--) {
      System.out.print(ports.next() + "\n");
    }
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int ephemeralStart() {
    // read by line: Files.readString reads a /proc file by its reported size, and gets only part of it
    try (BufferedReader reader = Files.newBufferedReader(EPHEMERAL_RANGE)) {
      int start = Integer.parseInt(reader.readLine().trim().split("\\s+")[0]);
      return start > LOWEST + 1_000 ? start : DEFAULT_EPHEMERAL_START;
    } catch (IOException | RuntimeException e) {
      return DEFAULT_EPHEMERAL_START;
    }
  }
}
