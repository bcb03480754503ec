package io.tokencache.loadtest.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("JarStore")
class JarStoreTest {

  @TempDir
  Path dir;

  private static long jarsIn(Path store) throws Exception {
    try (Stream<Path> files = Files.list(store)) {
      return files.filter(f -> f.toString().endsWith(".jar")).count();
    }
  }

  @Test
  @DisplayName("keeps one copy per build, reused by later runs, and names it by its SHA-256")
  void shouldKeepOneCopyPerBuild() throws Exception {
    Path built = dir.resolve("server.jar");
    Files.writeString(built, "build one");
    JarStore store = new JarStore(dir.resolve("jars"));

    JarStore.Stored first = store.store(built);
    JarStore.Stored second = store.store(built);

    assertThat(first.reused()).isFalse();
    assertThat(second.reused()).isTrue();
    assertThat(second.path()).isEqualTo(first.path());
    assertThat(first.sha256()).isEqualTo(JarStore.sha256(built)).hasSize(64);
    assertThat(first.path().getFileName().toString()).isEqualTo("server-" + first.sha256().substring(0, 12) + ".jar");
    assertThat(jarsIn(dir.resolve("jars"))).isEqualTo(1);
  }

  @Test
  @DisplayName("storing a jar again leaves the copy's own time alone (a class-data-sharing archive names it)")
  void shouldNotTouchTheCopy() throws Exception {
    Path built = dir.resolve("server.jar");
    Files.writeString(built, "a build");
    JarStore store = new JarStore(dir.resolve("jars"));
    JarStore.Stored first = store.store(built);
    FileTime time = FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(first.path(), time);
    assertThat(store.store(built).reused()).isTrue();
    assertThat(Files.getLastModifiedTime(first.path())).isEqualTo(time);
  }

  @Test
  @DisplayName("a rebuild gets its own copy, the previous one stays while recent and goes once stale")
  void shouldRemoveStaleVersions() throws Exception {
    Path built = dir.resolve("server.jar");
    JarStore store = new JarStore(dir.resolve("jars"));
    Files.writeString(built, "build one");
    JarStore.Stored one = store.store(built);
    Files.writeString(built, "build two");
    JarStore.Stored two = store.store(built);

    assertThat(two.path()).isNotEqualTo(one.path());
    assertThat(one.path()).as("a run may still use it").exists();
    assertThat(Files.readString(one.path())).isEqualTo("build one");

    Path archive = one.path().resolveSibling(one.path().getFileName() + ".jsa");
    Files.writeString(archive, "its class-data-sharing archive");
    Files.setLastModifiedTime(one.path().resolveSibling(one.path().getFileName() + ".used"),
        FileTime.from(Instant.now().minus(JarStore.KEEP_UNUSED).minusSeconds(60)));
    Files.writeString(dir.resolve("jars").resolve("other-0123456789ab.jar"), "another jar");
    Files.setLastModifiedTime(dir.resolve("jars").resolve("other-0123456789ab.jar"), FileTime.fromMillis(0));
    store.store(built);

    assertThat(one.path()).doesNotExist();
    assertThat(archive).as("goes with its jar").doesNotExist();
    assertThat(two.path()).exists();
    assertThat(dir.resolve("jars").resolve("other-0123456789ab.jar")).as("not a version of this jar").exists();
  }
}
