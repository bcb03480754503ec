package io.tokencache.loadtest.harness;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads every class of the load test (harness, fake IdP, simulations) when the Gatling JVM starts.
 * The JVM otherwise loads classes lazily from {@code loadtest/target/classes}, and a build of the
 * module started elsewhere during a run (people share the working tree) recompiles that folder,
 * leaving classes missing for a moment: a run would die minutes in with a NoClassDefFoundError.
 */
public final class ClassPreloader {

  private static final String PACKAGE_PATH = "io/tokencache/loadtest/";

  private ClassPreloader() {}

  /** @param anchors classes whose class-path folders to load (jars are skipped: they do not change) */
  public static void preload(Class<?>... anchors) {
    for (Class<?> anchor : anchors) {
      Path root = root(anchor);
      if (root == null || !Files.isDirectory(root.resolve(PACKAGE_PATH))) {
        continue;
      }
      List<Path> classFiles;
      try (Stream<Path> files = Files.walk(root.resolve(PACKAGE_PATH))) {
        classFiles = files.filter(f -> f.toString().endsWith(".class")).toList();
      } catch (IOException | RuntimeException e) {
        continue;
      }
      for (Path file : classFiles) {
        String name = root.relativize(file).toString().replace(File.separatorChar, '.').replaceFirst("\\.class$", "");
        try {
          Class.forName(name, false, anchor.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
          // a class being rewritten right now: it loads later, as it would have anyway
        }
      }
    }
  }

  private static Path root(Class<?> anchor) {
    try {
      CodeSource source = anchor.getProtectionDomain().getCodeSource();
      return source == null ? null : Path.of(source.getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      return null;
    }
  }
}
