package io.tokencache.fakeidp;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * {@code POST /control}: changes the IdP's behaviour from another process (the load harness), with
 * a JSON object holding any subset of {@code failureMode}, {@code latencyMs},
 * {@code tokenLifetimeSeconds} and {@code quotaRps}. Everything is validated before anything is
 * applied; answers the resulting settings, or 400 with an RFC 6749 style error.
 */
final class ControlEndpoint {

  private static final Set<String> KEYS = Set.of("failureMode", "latencyMs", "tokenLifetimeSeconds", "quotaRps");

  private final FakeIdp idp;

  ControlEndpoint(FakeIdp idp) {
    this.idp = idp;
  }

  void handle(RoutingContext ctx) {
    JsonObject request;
    try {
      request = ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      badRequest(ctx, "body must be a JSON object");
      return;
    }
    if (request == null) {
      badRequest(ctx, "body must be a JSON object");
      return;
    }
    for (String key : request.fieldNames()) {
      if (!KEYS.contains(key)) {
        badRequest(ctx, "unknown setting '" + key + "', expected any of " + KEYS);
        return;
      }
    }
    try {
      FailureMode mode = request.containsKey("failureMode") ? failureMode(request.getValue("failureMode")) : null;
      Duration latency = request.containsKey("latencyMs")
          ? Duration.ofMillis(whole(request, "latencyMs")) : null;
      Duration lifetime = request.containsKey("tokenLifetimeSeconds")
          ? Duration.ofSeconds(whole(request, "tokenLifetimeSeconds")) : null;
      Double quota = request.containsKey("quotaRps") ? number(request, "quotaRps").doubleValue() : null;
      if (latency != null) {
        FakeIdpOptions.validateLatency(latency);
      }
      if (lifetime != null) {
        FakeIdpOptions.validateLifetime(lifetime);
      }
      if (quota != null && (quota.isNaN() || quota.isInfinite())) {
        throw new IllegalArgumentException("quotaRps must be finite");
      }
      if (latency != null) {
        idp.setLatency(latency);
      }
      if (lifetime != null) {
        idp.setTokenLifetime(lifetime);
      }
      if (quota != null) {
        idp.setQuotaRps(quota);
      }
      if (mode != null) {
        idp.setFailureMode(mode);
      }
    } catch (IllegalArgumentException e) {
      badRequest(ctx, e.getMessage());
      return;
    }
    FakeIdp.json(ctx, 200, idp.settings());
  }

  private static FailureMode failureMode(Object value) {
    if (!(value instanceof String)) {
      throw new IllegalArgumentException("failureMode must be a string");
    }
    try {
      return FailureMode.valueOf(((String) value).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("failureMode must be one of " + Arrays.toString(FailureMode.values()));
    }
  }

  private static Number number(JsonObject request, String key) {
    Object value = request.getValue(key);
    if (!(value instanceof Number)) {
      throw new IllegalArgumentException(key + " must be a number");
    }
    return (Number) value;
  }

  private static long whole(JsonObject request, String key) {
    double value = number(request, key).doubleValue();
    if (value != Math.rint(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(key + " must be a whole number");
    }
    return (long) value;
  }

  private static void badRequest(RoutingContext ctx, String description) {
    FakeIdp.json(ctx, 400, FakeIdp.error("invalid_request", description));
  }
}
