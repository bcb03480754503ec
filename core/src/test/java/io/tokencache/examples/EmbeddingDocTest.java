package io.tokencache.examples;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/embedding.md quotes the example application: every Java excerpt must still be in it, line for line. */
class EmbeddingDocTest {

  private static final Path DOC = Path.of("..", "docs", "embedding.md");
  private static final Path EXAMPLE = Path.of("src", "test", "java", "io", "tokencache", "examples",
    "OrdersServiceExample.java");

  @Test
  @DisplayName("every Java excerpt in docs/embedding.md appears verbatim in OrdersServiceExample.java")
  void shouldQuoteTheExampleExactly() throws IOException {
    List<String> example = Files.readAllLines(EXAMPLE).stream().map(EmbeddingDocTest::stripTrailing).toList();
    List<List<String>> excerpts = javaBlocks(Files.readAllLines(DOC));

    assertThat(excerpts).hasSizeGreaterThanOrEqualTo(8);
    for (List<String> excerpt : excerpts) {
      assertThat(Collections.indexOfSubList(example, excerpt))
        .as("excerpt not found in the example:%n%s", String.join("\n", excerpt))
        .isNotNegative();
    }
  }

  private static List<List<String>> javaBlocks(List<String> doc) {
    List<List<String>> blocks = new ArrayList<>();
    List<String> current = null;
    for (String line : doc) {
      if (current == null && line.trim().equals("```java")) {
        current = new ArrayList<>();
      } else if (current != null && line.trim().equals("```")) {
        blocks.add(current);
        current = null;
      } else if (current != null) {
        current.add(stripTrailing(line));
      }
    }
    return blocks;
  }

  private static String stripTrailing(String line) {
    return line.stripTrailing();
  }
}
