package io.tokencache.loadtest.harness;

/** The harness could not set up or run the cluster (a member did not start, the IdP did not bind). */
public final class HarnessException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what went wrong
   */
  public HarnessException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong
   * @param cause why
   */
  public HarnessException(String message, Throwable cause) {
    super(message, cause);
  }
}
