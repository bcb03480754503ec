package io.tokencache.server;

import io.tokencache.TokenCacheOptions;
import io.tokencache.UpstreamOptions;
import io.tokencache.cluster.ClusterOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/configuration.md stays true to the code: every variable and every setting, and nothing else. */
class ConfigurationReferenceTest {

  private static final Path DOC = Path.of("..", "docs", "configuration.md");

  private static Set<String> variablesInCode() throws IllegalAccessException {
    Set<String> names = new HashSet<>();
    for (Field f : ServerConfig.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class
        && f.get(null) instanceof String s && s.startsWith("TOKEN_CACHE_")) {
        names.add(s);
      }
    }
    return names;
  }

  @Test
  @DisplayName("every TOKEN_CACHE_ variable the server reads is documented, and every documented one is read")
  void shouldDocumentExactlyTheVariablesTheServerReads() throws Exception {
    String doc = Files.readString(DOC);
    Set<String> documented = new HashSet<>();
    Matcher m = Pattern.compile("`(TOKEN_CACHE_[A-Z_]+)`").matcher(doc);
    while (m.find()) {
      documented.add(m.group(1));
    }
    assertThat(documented).containsExactlyInAnyOrderElementsOf(variablesInCode());
  }

  @Test
  @DisplayName("every setting of the cache, upstream and cluster options is documented")
  void shouldDocumentEverySetting() throws Exception {
    String doc = Files.readString(DOC);
    Set<String> keys = new HashSet<>();
    keys.addAll(new TokenCacheOptions().toJson().fieldNames());
    keys.addAll(new UpstreamOptions().setTokenUrl("https://idp.example/token").toJson().fieldNames());
    keys.addAll(new ClusterOptions().toJson().fieldNames());
    keys.add("encryptionKey");
    for (String key : keys) {
      assertThat(doc).as("docs/configuration.md mentions " + key).containsPattern("\\b" + Pattern.quote(key) + "\\b");
    }
  }
}
