package io.tokencache.loadtest.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

/**
 * The class-data-sharing archive for a stored copy of the server jar, so that members start as the documented
 * command and the Docker image start them. An archive names the exact path of the jar it was trained on, so the
 * archive {@code mvn package} writes for {@code server/target} does not serve the copy members run; this trains one
 * for the copy (the server's own training run), once per copy: the copies are per build.
 */
final class CdsArchive {

  private static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(3);

  private CdsArchive() {
  }

  /**
   * The archive of {@code jar} ({@code <jar>.jsa}), trained now if there is none.
   *
   * @return the archive, or {@code null} if the training failed (members then start without one; its log is
   *     {@code <jar>.jsa.log})
   */
  static Path ensure(Path javaBin, Path jar) {
    Path archive = jar.resolveSibling(jar.getFileName() + ".jsa");
    if (Files.isRegularFile(archive)) {
      return archive;
    }
    Path log = jar.resolveSibling(jar.getFileName() + ".jsa.log");
    try {
      Path temp = Files.createTempFile(jar.getParent(), jar.getFileName() + "-", ".jsa.tmp");
      Files.delete(temp);
      // the members' own command, with the training flags
      Process training = new ProcessBuilder(ServerMember.command(javaBin, List.of("-XX:ArchiveClassesAtExit=" + temp,
          "-Xlog:cds=error", "-Dtokencache.cds.training=true"), jar))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!ServerMember.exitsWithin(training, TRAINING_TIMEOUT) || training.exitValue() != 0
          || !Files.isRegularFile(temp)) {
        training.destroyForcibly();
        Files.deleteIfExists(temp);
        return null;
      }
      // two runs training at once each write their own and the second move replaces the first: equal archives
      Files.move(temp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return archive;
    } catch (IOException e) {
      return null;
    }
  }
}
