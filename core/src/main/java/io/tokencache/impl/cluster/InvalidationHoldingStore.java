package io.tokencache.impl.cluster;

import io.tokencache.impl.CachedToken;
import io.tokencache.impl.store.TokenStore;
import io.vertx.core.Future;


/**
 * A cluster store whose invalidations hold through a split and its merge: removals are also recorded in the
 * {@link InvalidationLog}, and a token it refuses reads as absent, wherever it came back from.
 */
public final class InvalidationHoldingStore implements TokenStore {

  private final TokenStore store;
  private final InvalidationLog invalidations;

  public InvalidationHoldingStore(TokenStore store, InvalidationLog invalidations) {
    this.store = store;
    this.invalidations = invalidations;
  }

  @Override
  public Future<CachedToken> get(String key) {
    Future<CachedToken> read = store.get(key);
    if (read.succeeded()) {
      // a hit is answered in place (see HazelcastTokenStore#get): no future composed unless a token is refused
      CachedToken token = read.result();
      return token != null && invalidations.refuses(key, token) ? Future.succeededFuture() : read;
    }
    return read.map(token -> held(key, token));
  }

  private CachedToken held(String key, CachedToken token) {
    return token != null && invalidations.refuses(key, token) ? null : token;
  }

  @Override
  public Future<Void> put(String key, CachedToken token) {
    return store.put(key, token);
  }

  @Override
  public Future<Boolean> replace(String key, CachedToken expected, CachedToken replacement) {
    return store.replace(key, expected, replacement);
  }

  @Override
  public Future<Boolean> remove(String key) {
    return invalidations.invalidateKey(key).compose(v -> store.remove(key));
  }

  @Override
  public Future<Integer> removeByClientTag(String clientTag) {
    return invalidations.invalidateClient(clientTag).compose(v -> store.removeByClientTag(clientTag));
  }

  @Override
  public long size() {
    return store.size();
  }

  @Override
  public Future<Void> close() {
    return Future.all(invalidations.close(), store.close()).mapEmpty();
  }
}
