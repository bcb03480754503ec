package io.tokencache.loadtest.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One copy of each jar a run starts processes from, shared by every scenario's report folder: a rebuild
 * while a run goes on (other people work in the same tree) must not change or remove what the members added
 * later run, yet a copy per report folder costs tens of megabytes each. A jar is stored once under its
 * content's SHA-256 ({@code <name>-<first 12 hex digits>.jar}); a run whose jar is already stored reuses it.
 * Other versions of the same jar are removed once they have not been used for {@link #KEEP_UNUSED}, so a
 * run still going with an older build keeps its copy.
 */
public final class JarStore {

  /** How long a stored version of a jar that no run uses any more is kept. */
  static final Duration KEEP_UNUSED = Duration.ofHours(6);

  /**
   * A jar as stored.
   *
   * @param source the jar the run was given
   * @param path the stored copy, which the processes run
   * @param sha256 the content's SHA-256, hex
   * @param bytes the size
   * @param built when the jar the run was given was last modified
   * @param reused whether the copy was already there
   */
  public record Stored(Path source, Path path, String sha256, long bytes, FileTime built, boolean reused) {}

  private final Path dir;

  /** @param dir the folder holding the copies (created when missing) */
  public JarStore(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  /**
   * Stores {@code jar} unless an identical copy is there already, and removes the stale versions of it.
   *
   * @param jar the built jar
   * @return the copy to run
   * @throws IOException when the jar cannot be read or copied
   */
  public Stored store(Path jar) throws IOException {
    Files.createDirectories(dir);
    String base = jar.getFileName().toString().replaceFirst("\\.jar$", "");
    String sourceHash = sha256(jar);
    Path target = dir.resolve(base + "-" + sourceHash.substring(0, 12) + ".jar");
    boolean reused = Files.isRegularFile(target) && sha256(target).equals(sourceHash);
    if (!reused) {
      // Copy, then name the copy by its own hash: the source may be rewritten while it is copied.
      Path temp = Files.createTempFile(dir, base + "-", ".tmp");
      try {
        Files.copy(jar, temp, StandardCopyOption.REPLACE_EXISTING);
        sourceHash = sha256(temp);
        target = dir.resolve(base + "-" + sourceHash.substring(0, 12) + ".jar");
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(temp);
      }
    }
    // Marks it as in use, for the clean-up of other runs.
    // When a copy was last used is kept beside it: the copy's own time must not change, since a class-data-sharing
    // archive trained for it (CdsArchive) is valid only for the jar file as it was then.
    Files.write(target.resolveSibling(target.getFileName() + ".used"), new byte[0]);
    removeStale(base, target);
    return new Stored(jar.toAbsolutePath().normalize(), target, sourceHash, Files.size(target),
        Files.getLastModifiedTime(jar), reused);
  }

  private void removeStale(String base, Path keep) throws IOException {
    Instant cutoff = Instant.now().minus(KEEP_UNUSED);
    List<Path> versions;
    try (Stream<Path> files = Files.list(dir)) {
      String version = Pattern.quote(base) + "-[0-9a-f]{12}\\.jar";
      versions = files.filter(f -> f.getFileName().toString().matches(version) && !f.equals(keep)).toList();
    }
    for (Path old : versions) {
      Path used = old.resolveSibling(old.getFileName() + ".used");
      Path stamp = Files.exists(used) ? used : old;
      if (Files.getLastModifiedTime(stamp).toInstant().isBefore(cutoff)) {
        for (String suffix : List.of(".jsa", ".jsa.log", ".used")) {
          Files.deleteIfExists(old.resolveSibling(old.getFileName() + suffix));
        }
        Files.deleteIfExists(old);
      }
    }
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
