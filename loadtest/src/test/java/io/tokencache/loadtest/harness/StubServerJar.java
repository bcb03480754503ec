package io.tokencache.loadtest.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Packs {@link StubServer} into a runnable jar, so the orchestrator can {@code java -jar} it. */
final class StubServerJar {

  private StubServerJar() {}

  static Path build(Path dir) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, StubServer.class.getName());
    Path jar = dir.resolve("stub-server.jar");
    String entry = StubServer.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest);
        InputStream classFile = StubServer.class.getClassLoader().getResourceAsStream(entry)) {
      if (classFile == null) {
        throw new IOException("class file not found: " + entry);
      }
      out.putNextEntry(new JarEntry(entry));
      classFile.transferTo(out);
      out.closeEntry();
    }
    return jar;
  }
}
