package io.tokencache.impl;

import io.tokencache.TokenRequest;
import io.tokencache.impl.quota.Lane;
import io.tokencache.impl.upstream.ResilientUpstream;

/**
 * One miss or refresh on its way from lease to store: the request, its key, its upstream, the tags of its client
 * and credentials (each an HMAC over the request, derived at most once), its budget lane and its deadline.
 */
final class Fetch {

  final TokenRequest.ClientCredentials request;
  final ResilientUpstream upstream;
  final String key;
  /** {@link System#nanoTime()} by which waiting for another member's fetch gives up. */
  final long deadline;
  private final CacheKeys keys;
  private Lane lane;
  private String clientTag;
  private String secretTag;

  Fetch(CacheKeys keys, TokenRequest.ClientCredentials request, ResilientUpstream upstream, String key, Lane lane,
        long deadline) {
    this.keys = keys;
    this.request = request;
    this.upstream = upstream;
    this.key = key;
    this.lane = lane;
    this.deadline = deadline;
  }

  Lane lane() {
    return lane;
  }

  /** Sets the lane once the ledger has said whether the credentials are known. */
  void lane(Lane lane) {
    this.lane = lane;
  }

  /** The client's tag (upstream and client id), or {@code null} for a pass-through request without a client id. */
  String clientTag() {
    if (clientTag == null && request.clientId() != null) {
      clientTag = keys.clientTagOf(request.upstream(), request.clientId());
    }
    return clientTag;
  }

  /** The credentials' tag (upstream, client id and secret). */
  String secretTag() {
    if (secretTag == null) {
      secretTag = keys.secretTagOf(request);
    }
    return secretTag;
  }
}
