package io.tokencache.impl;

import io.tokencache.UpstreamOptions;
import io.tokencache.impl.admission.AdmissionPolicy;
import io.tokencache.impl.quota.BudgetPolicy;

/** The budget's and the admission's policies, from an upstream's options. */
public final class Policies {

  private Policies() {
  }

  /** How the upstream's budget is shared out. */
  public static BudgetPolicy budget(UpstreamOptions u) {
    return new BudgetPolicy(u.getQuotaRps(), u.getQuotaSafetyMargin().toMillis(), u.getKnownShare(),
      u.getUnknownShare(), u.getPassThroughShare(), u.getClientShare(), u.getMaxHoldBack().toMillis());
  }

  /** What a client id of the upstream may ask on a miss. */
  static AdmissionPolicy admission(UpstreamOptions u) {
    return new AdmissionPolicy(u.getMaxKeysPerClient(), u.getUnknownSecretInterval().toMillis(),
      AdmissionPolicy.DEFAULT_GUARD_MILLIS, AdmissionPolicy.DEFAULT_KNOWN_MILLIS,
      u.getFetchTimeout().plusSeconds(1).toMillis());
  }
}
