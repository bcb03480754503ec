package io.tokencache;

import java.util.Set;

/** The character classes and bounds of {@link TokenRequest}s, both kinds. */
final class RequestChecks {

  static final Set<String> STANDARD_PARAMETERS =
    Set.of("grant_type", "client_id", "client_secret", "scope", "audience", "resource");

  /** Upper bounds that keep keys and upstream requests sane; real ids, secrets and scopes are far smaller. */
  static final int MAX_CLIENT_ID = 256;
  static final int MAX_SECRET = 1024;
  static final int MAX_SCOPES = 64;
  static final int MAX_VALUE = 2048;

  // Character classes checked by loops rather than regular expressions: they run on every request, and matching
  // them with java.util.regex was several percent of a cache hit's CPU.

  /** RFC 6749 appendix A.1: client ids are {@code VSCHAR = %x20-7E}; a secret too. */
  static boolean isVschar(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  /** RFC 6749 section 3.3: {@code scope-token = 1*( %x21 / %x23-5B / %x5D-7E )}. */
  static boolean isScopeToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7E || c == 0x22 || c == 0x5C) {
        return false;
      }
    }
    return true;
  }

  private RequestChecks() {
  }
}
