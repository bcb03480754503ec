package io.tokencache.server;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the configuration file named by {@value ServerConfig#CONFIG} through vertx-config's file store: JSON for
 * {@code .json}, YAML for {@code .yaml} and {@code .yml}.
 *
 * <p>Errors are {@link IllegalArgumentException}s naming the variable and the file. Parse errors give the line and
 * column but never quote the file's content: it may hold the admin token or the encryption key.
 */
final class ConfigFile {

  private static final Pattern JSON_LOCATION = Pattern.compile("line: (\\d+), column: (\\d+)");

  private ConfigFile() {
  }

  /** The vertx-config format for a file name, by its extension. */
  static String formatOf(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".json")) {
      return "json";
    }
    if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
      return "yaml";
    }
    throw new IllegalArgumentException(ServerConfig.CONFIG + ": '" + path
      + "' must end in .json, .yaml or .yml (the extension tells the format)");
  }

  /** Reads the file; fails with an {@link IllegalArgumentException} saying what is wrong. */
  static Future<JsonObject> read(Vertx vertx, String path) {
    String format;
    try {
      format = formatOf(path);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return vertx.fileSystem().props(path)
      .recover(err -> Future.failedFuture(new IllegalArgumentException(ServerConfig.CONFIG + ": cannot read '" + path
        + "': " + (root(err) instanceof java.nio.file.NoSuchFileException ? "no such file" : root(err).toString()))))
      .compose(props -> {
        if (!props.isRegularFile()) {
          return Future.failedFuture(new IllegalArgumentException(ServerConfig.CONFIG + ": cannot read '" + path
            + "': not a regular file"));
        }
        ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
          .setIncludeDefaultStores(false)
          .setScanPeriod(0)
          .addStore(new ConfigStoreOptions().setType("file").setFormat(format)
            .setConfig(new JsonObject().put("path", path))));
        return retriever.getConfig()
          .eventually(() -> {
            retriever.close();
            return Future.succeededFuture();
          })
          .recover(err -> Future.failedFuture(describe(path, format, err)));
      })
      // a round trip through JSON text turns YAML's nested maps, lists and dates into plain JSON values
      .map(json -> json == null ? new JsonObject() : new JsonObject(json.encode()));
  }

  /** Reads the file with a short-lived Vert.x instance; for the launcher, before the clustered Vert.x starts. */
  static JsonObject readBlocking(String path) {
    Vertx vertx = Vertx.vertx();
    try {
      return read(vertx, path).await(30, TimeUnit.SECONDS);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException(ServerConfig.CONFIG + ": cannot read '" + path + "': " + e);
    } finally {
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // only a short-lived reader
      }
    }
  }

  private static IllegalArgumentException describe(String path, String format, Throwable err) {
    String prefix = ServerConfig.CONFIG + ": '" + path + "' ";
    for (Throwable t = err; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException) {
        MarkedYAMLException y = (MarkedYAMLException) t;
        Mark mark = y.getProblemMark();
        return new IllegalArgumentException(prefix + "is not valid YAML: " + y.getProblem()
          + (mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1)));
      }
      if (t instanceof ClassCastException) {
        return new IllegalArgumentException(prefix + "must hold a mapping (key: value settings) at the top level");
      }
      if (t instanceof org.yaml.snakeyaml.error.YAMLException) {
        return new IllegalArgumentException(prefix + "is not valid YAML");
      }
    }
    if (err instanceof DecodeException || err.getCause() instanceof DecodeException) {
      if ("yaml".equals(format)) {
        return new IllegalArgumentException(prefix + "must hold a mapping (key: value settings) at the top level");
      }
      // Jackson's message may quote the content: keep only where the problem is
      Matcher m = JSON_LOCATION.matcher(String.valueOf(err.getMessage()));
      String where = m.find() ? " near line " + m.group(1) + ", column " + m.group(2) : "";
      return new IllegalArgumentException(prefix + "is not valid JSON or not a JSON object" + where);
    }
    return new IllegalArgumentException(prefix + "cannot be read: " + root(err).getClass().getSimpleName());
  }

  private static Throwable root(Throwable err) {
    Throwable t = err;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}
