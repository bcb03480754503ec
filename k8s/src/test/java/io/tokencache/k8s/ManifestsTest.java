package io.tokencache.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.tokencache.cluster.ClusterOptions;
import io.tokencache.server.ServerConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parses every manifest into fabric8's typed model, refuses any field the model does not know (a typo would
 * otherwise be silently ignored by kubectl's lenient tools), and checks that names, ports, paths and
 * variables agree with the server's own defaults.
 */
class ManifestsTest {

  private static final Path BASE = Path.of("base");
  private static final Path OVERLAY = Path.of("overlays", "example");
  private static final KubernetesSerialization YAML = new KubernetesSerialization();
  /** The label callers put on their pods (and, from another namespace, on their namespace too). */
  private static final Map<String, String> CLIENT_LABEL = Map.of("token-cache.io/client", "true");

  private static <T extends HasMetadata> T load(Path file, Class<T> type) throws IOException {
    Object parsed = YAML.unmarshal(Files.readString(file));
    assertThat(parsed).as(file + " parses as " + type.getSimpleName()).isInstanceOf(type);
    List<String> unknown = new ArrayList<>();
    collectUnknownFields(parsed, file.toString(), unknown, new IdentityHashMap<>());
    assertThat(unknown).as("fields the Kubernetes model does not know in " + file).isEmpty();
    return type.cast(parsed);
  }

  /** fabric8 keeps fields it does not know in additionalProperties: any there is a mistake in the manifest. */
  private static void collectUnknownFields(Object node, String path, List<String> unknown, Map<Object, Boolean> seen) {
    if (node == null || seen.put(node, true) != null) {
      return;
    }
    if (node instanceof Collection<?> c) {
      int i = 0;
      for (Object o : c) {
        collectUnknownFields(o, path + "[" + i++ + "]", unknown, seen);
      }
      return;
    }
    if (node instanceof Map<?, ?> m) {
      m.forEach((k, v) -> collectUnknownFields(v, path + "." + k, unknown, seen));
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
        || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
        continue;
      }
      try {
        Object value = getter.invoke(node);
        if (getter.getName().equals("getAdditionalProperties")) {
          if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
            unknown.add(path + ": " + extra.keySet());
          }
        } else {
          collectUnknownFields(value, path + "." + getter.getName().substring(3), unknown, seen);
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Every TOKEN_CACHE_* variable the server reads (ServerConfig's constants). */
  private static Set<String> serverVariables() throws IllegalAccessException {
    Set<String> names = new HashSet<>();
    for (Field f : ServerConfig.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        Object v = f.get(null);
        if (v instanceof String s && s.startsWith("TOKEN_CACHE_")) {
          names.add(s);
        }
      }
    }
    return names;
  }

  private static Deployment deployment() throws IOException {
    return load(BASE.resolve("deployment.yaml"), Deployment.class);
  }

  private static Container container() throws IOException {
    return deployment().getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static int containerPort(String name) throws IOException {
    return container().getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
      .findFirst().orElseThrow();
  }

  @Test
  @DisplayName("every resource of the base parses strictly, and the kustomization lists exactly the files present")
  void shouldParseEveryManifestStrictly() throws IOException {
    load(BASE.resolve("configmap.yaml"), ConfigMap.class);
    deployment();
    load(BASE.resolve("service.yaml"), Service.class);
    load(BASE.resolve("service-hazelcast.yaml"), Service.class);
    load(BASE.resolve("hpa.yaml"), HorizontalPodAutoscaler.class);
    load(BASE.resolve("pdb.yaml"), PodDisruptionBudget.class);
    load(BASE.resolve("networkpolicy.yaml"), NetworkPolicy.class);
    load(OVERLAY.resolve("namespace.yaml"), io.fabric8.kubernetes.api.model.Namespace.class);

    Map<String, Object> kustomization = YAML.unmarshal(Files.readString(BASE.resolve("kustomization.yaml")), Map.class);
    @SuppressWarnings("unchecked")
    List<String> resources = (List<String>) kustomization.get("resources");
    Set<String> yamlFiles;
    try (var files = Files.list(BASE)) {
      yamlFiles = files.map(p -> p.getFileName().toString())
        .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).collect(Collectors.toSet());
    }
    assertThat(resources).containsExactlyInAnyOrderElementsOf(yamlFiles);
    assertThat(resources).as("the base ships its NetworkPolicy").contains("networkpolicy.yaml");
  }

  @Test
  @DisplayName("the base's cluster name is a valid one, and not the default every unconfigured member uses")
  void shouldUseANonDefaultClusterName() throws Exception {
    ConfigMap config = load(BASE.resolve("configmap.yaml"), ConfigMap.class);
    String name = config.getData().get(ServerConfig.CLUSTER_NAME);
    assertThat(name).isNotBlank().isNotEqualToIgnoringCase(ClusterOptions.DEFAULT_CLUSTER_NAME);
    new ClusterOptions().setClusterName(name).validate();
    ConfigMap patch = load(OVERLAY.resolve("configmap-patch.yaml"), ConfigMap.class);
    assertThat(patch.getData().getOrDefault(ServerConfig.CLUSTER_NAME, name))
      .as("the example overlay's, if it sets one").isNotEqualToIgnoringCase(ClusterOptions.DEFAULT_CLUSTER_NAME);
  }

  /** The container port a NetworkPolicy port means: by name (the container's port names) or by number. */
  private static int resolve(NetworkPolicyPort port) throws IOException {
    assertThat(port.getEndPort()).as("no port ranges").isNull();
    assertThat(port.getProtocol()).isEqualTo("TCP");
    IntOrString p = port.getPort();
    assertThat(p).as("a rule names its port: without one it admits every port").isNotNull();
    return p.getStrVal() != null ? containerPort(p.getStrVal()) : p.getIntVal();
  }

  /** Whether a selector matches only objects carrying all these labels (match expressions only narrow it). */
  private static boolean requires(LabelSelector selector, Map<String, String> labels) {
    return selector != null && selector.getMatchLabels() != null
      && selector.getMatchLabels().entrySet().containsAll(labels.entrySet());
  }

  /** A peer that is the Deployment's own pods: in this namespace, selected by exactly the Deployment's labels. */
  private static boolean isMember(NetworkPolicyPeer peer, Map<String, String> memberSelector) {
    return peer.getIpBlock() == null && peer.getNamespaceSelector() == null && peer.getPodSelector() != null
      && memberSelector.equals(peer.getPodSelector().getMatchLabels())
      && (peer.getPodSelector().getMatchExpressions() == null || peer.getPodSelector().getMatchExpressions().isEmpty());
  }

  /** A peer only pods carrying the client label match (from another namespace: only if it carries it too). */
  private static boolean isLabelledClient(NetworkPolicyPeer peer) {
    return peer.getIpBlock() == null && requires(peer.getPodSelector(), CLIENT_LABEL)
      && (peer.getNamespaceSelector() == null || requires(peer.getNamespaceSelector(), CLIENT_LABEL));
  }

  @Test
  @DisplayName("the NetworkPolicy admits the member port only from members, the HTTP port only from members and labelled callers")
  void shouldAdmitOnlyMembersAndLabelledClients() throws Exception {
    Deployment d = deployment();
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    Map<String, String> memberSelector = d.getSpec().getSelector().getMatchLabels();
    NetworkPolicy policy = load(BASE.resolve("networkpolicy.yaml"), NetworkPolicy.class);
    assertThat(policy.getSpec().getPodSelector().getMatchLabels()).as("selects the Deployment's pods")
      .isEqualTo(memberSelector);
    assertThat(podLabels).containsAllEntriesOf(policy.getSpec().getPodSelector().getMatchLabels());
    assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress");

    // for each container port, the peers admitted to it
    Map<Integer, List<NetworkPolicyPeer>> admitted = new HashMap<>();
    for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
      assertThat(rule.getFrom()).as("a rule without peers admits everyone").isNotEmpty();
      assertThat(rule.getPorts()).as("a rule without ports admits every port").isNotEmpty();
      for (NetworkPolicyPort port : rule.getPorts()) {
        admitted.computeIfAbsent(resolve(port), p -> new ArrayList<>()).addAll(rule.getFrom());
      }
    }
    int hazelcast = containerPort("hazelcast");
    int http = containerPort("http");
    assertThat(admitted).as("no port but the container's own").containsOnlyKeys(hazelcast, http);

    assertThat(admitted.get(hazelcast)).as("the member port: members only").isNotEmpty()
      .allMatch(peer -> isMember(peer, memberSelector));

    List<NetworkPolicyPeer> httpPeers = admitted.get(http);
    assertThat(httpPeers).as("the HTTP port: members and labelled callers only")
      .allMatch(peer -> isMember(peer, memberSelector) || isLabelledClient(peer));
    assertThat(httpPeers).as("the members reach each other's HTTP port").anyMatch(peer -> isMember(peer, memberSelector));
    assertThat(httpPeers).as("labelled callers of the same namespace get in")
      .anyMatch(peer -> isLabelledClient(peer) && peer.getNamespaceSelector() == null);

    assertThat(Files.readString(Path.of("..", "docs", "security.md")))
      .as("docs/security.md tells callers which label to set").contains("token-cache.io/client: \"true\"");
  }

  @Test
  @DisplayName("ports, probes and variables agree with the server's defaults")
  void shouldAgreeWithServerDefaults() throws Exception {
    assertThat(containerPort("http")).isEqualTo(ServerConfig.DEFAULT_HTTP_PORT);
    assertThat(containerPort("hazelcast")).isEqualTo(ClusterOptions.DEFAULT_PORT);
    Container c = container();
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
    assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
    assertThat(c.getLifecycle().getPreStop()).as("a preStop hook for a graceful leave").isNotNull();
    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(c.getResources().getLimits()).containsKey("memory");

    Set<String> known = serverVariables();
    ConfigMap config = load(BASE.resolve("configmap.yaml"), ConfigMap.class);
    assertThat(known).containsAll(config.getData().keySet());
    assertThat(c.getEnv().stream().map(EnvVar::getName).filter(n -> n.startsWith("TOKEN_CACHE_")))
      .allMatch(known::contains);
    assertThat(config.getData().get(ServerConfig.HTTP_PORT)).isEqualTo(Integer.toString(containerPort("http")));
    assertThat(config.getData().get(ServerConfig.CLUSTER_PORT)).isEqualTo(Integer.toString(containerPort("hazelcast")));
    assertThat(config.getData().get(ServerConfig.CLUSTER_DISCOVERY)).isEqualTo("kubernetes");
    assertThat(config.getData()).doesNotContainKeys(ServerConfig.ENCRYPTION_KEY, ServerConfig.ADMIN_TOKEN);
  }

  @Test
  @DisplayName("services, autoscaler and disruption budget select the deployment's pods and ports")
  void shouldWireResourcesTogether() throws Exception {
    Deployment d = deployment();
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(d.getSpec().getReplicas()).isEqualTo(3);
    assertThat(podLabels).containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());

    Service http = load(BASE.resolve("service.yaml"), Service.class);
    Service hazelcast = load(BASE.resolve("service-hazelcast.yaml"), Service.class);
    assertThat(podLabels).containsAllEntriesOf(http.getSpec().getSelector());
    assertThat(podLabels).containsAllEntriesOf(hazelcast.getSpec().getSelector());
    assertThat(http.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
    assertThat(hazelcast.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(hazelcast.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(hazelcast.getSpec().getPorts().get(0).getPort()).isEqualTo(containerPort("hazelcast"));

    ConfigMap config = load(BASE.resolve("configmap.yaml"), ConfigMap.class);
    assertThat(config.getData().get(ServerConfig.CLUSTER_KUBERNETES_SERVICE_DNS))
      .startsWith(hazelcast.getMetadata().getName() + ".");

    HorizontalPodAutoscaler hpa = load(BASE.resolve("hpa.yaml"), HorizontalPodAutoscaler.class);
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(d.getMetadata().getName());
    assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(3);
    PodDisruptionBudget pdb = load(BASE.resolve("pdb.yaml"), PodDisruptionBudget.class);
    assertThat(podLabels).containsAllEntriesOf(pdb.getSpec().getSelector().getMatchLabels());

    Set<String> secretNames = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
      .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
      .map(e -> e.getValueFrom().getSecretKeyRef().getName()).collect(Collectors.toSet());
    assertThat(secretNames).containsExactly("token-cache-secrets");
  }

  @Test
  @DisplayName("the example overlay generates the Secret the deployment reads and points discovery at its namespace")
  void shouldKeepOverlayConsistent() throws Exception {
    Map<String, Object> overlay = YAML.unmarshal(Files.readString(OVERLAY.resolve("kustomization.yaml")), Map.class);
    String namespace = (String) overlay.get("namespace");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> generators = (List<Map<String, Object>>) overlay.get("secretGenerator");
    assertThat(generators).extracting(g -> g.get("name")).containsExactly("token-cache-secrets");
    @SuppressWarnings("unchecked")
    List<String> envFiles = (List<String>) generators.get(0).get("envs");
    String secrets = Files.readString(OVERLAY.resolve(envFiles.get(0)));
    Set<String> secretKeys = d().getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
      .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
      .map(e -> e.getValueFrom().getSecretKeyRef().getKey()).collect(Collectors.toSet());
    for (String key : secretKeys) {
      assertThat(secrets).contains(key + "=");
    }
    ConfigMap patch = load(OVERLAY.resolve("configmap-patch.yaml"), ConfigMap.class);
    assertThat(patch.getData().get(ServerConfig.CLUSTER_KUBERNETES_SERVICE_DNS))
      .isEqualTo("token-cache-hazelcast." + namespace + ".svc.cluster.local");
    assertThat(serverVariables()).containsAll(patch.getData().keySet());
  }

  private static Deployment d() throws IOException {
    return deployment();
  }
}
