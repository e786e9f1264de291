/**
 * The paths an app must keep open (`RequiredPaths`): each proven from the policy set at every
 * synth (prove.ts) and confirmed by the webhook check after apply. Data only: the path engine
 * (lib/paths) decides them.
 */
import type { PathPeer } from "../paths";
import { PATH_PROTOCOLS, type PathProtocol } from "../shared/vocabulary";

export type { PathProtocol };

/**
 * A path that must stay open: proven from the policy set at every synth
 * (`NetworkPoliciesOptions.requiredPaths`), confirmed by the webhook check after apply.
 *
 * @example
 * const path: RequiredPath = RequiredPaths.of(
 *   "apiserver-to-my-webhook",
 *   { entity: "kube-apiserver" },
 *   { namespace: "my-system", labels: { app: "my-webhook" } },
 *   "TCP",
 *   9443,
 * );
 */
export interface RequiredPath {
  /** A stable name: refusals, warnings and the proof name the path by it. */
  readonly name: string;
  /** Where the traffic starts: an entity (`kube-apiserver`, `world`, ...) or pods by namespace and labels. */
  readonly from: PathPeer;
  /** Where it goes: an entity, pods, or (from a pod) an FQDN. */
  readonly to: PathPeer;
  /** The protocol. */
  readonly protocol: PathProtocol;
  /** The destination pod's port, after Service translation (Cilium enforces there, not on the Service port). */
  readonly port: number;
  /**
   * Whether the pod labels of this path are all the labels those pods have (`complete`) or only some
   * of them (`partial`: a policy selecting on another label makes the verdict `unknown`).
   *
   * @default - the `assume.labels` of the NetworkPolicies that requires the path
   */
  readonly labels?: "complete" | "partial";
}

/** Options of {@link RequiredPaths.certManager}.
 *
 * @example
 * RequiredPaths.certManager({ namespace: "certs", release: "cm", acme: false })
 */
export interface CertManagerPathsOptions {
  /**
   * The namespace cert-manager runs in.
   *
   * @default "cert-manager"
   */
  readonly namespace?: string;
  /**
   * The Helm release name of cert-manager (its pods' `app.kubernetes.io/instance` label).
   *
   * @default "cert-manager"
   */
  readonly release?: string;
  /**
   * The webhook's pod port (the chart's `webhook.securePort`; its Service's port 443 targets it).
   *
   * @default 10250
   */
  readonly webhookPort?: number;
  /**
   * The port kube-apiserver listens on, as the pods reach it after Service translation of
   * `kubernetes.default` (6443 on Talos; KubePrism's 7445 is on the host, not a pod path).
   *
   * @default 6443
   */
  readonly apiServerPort?: number;
  /**
   * Whether the controller must reach ACME servers on the internet (`world`, TCP 443).
   *
   * @default true
   */
  readonly acme?: boolean;
}

const PROTOCOLS: readonly string[] = PATH_PROTOCOLS;

/** Factories of {@link RequiredPath}s: one path, or the paths a whole component needs.
 *
 * @example
 * const paths = [
 *   ...RequiredPaths.certManager(),
 *   RequiredPaths.of("apiserver-to-my-webhook", { entity: "kube-apiserver" }, { namespace: "my", labels: { app: "hook" } }, "TCP", 9443),
 * ];
 */
// biome-ignore lint/complexity/noStaticOnlyClass: the public API is RequiredPaths.of / RequiredPaths.certManager, as cdk8s-plus's factories.
export class RequiredPaths {
  /**
   * One required path. Throws a `TypeError` naming the argument when the name is empty, the
   * protocol is not TCP, UDP or SCTP, or the port is not a whole number from 1 to 65535.
   *
   * @example
   * RequiredPaths.of("web-from-world", { entity: "world" }, { namespace: "shop", labels: { app: "web" } }, "TCP", 8080)
   */
  public static of(name: string, from: PathPeer, to: PathPeer, protocol: PathProtocol, port: number): RequiredPath {
    if (typeof name !== "string" || name.trim() === "") throw new TypeError("RequiredPaths.of: name must be a non-empty string");
    if (!PROTOCOLS.includes(protocol))
      throw new TypeError(`RequiredPaths.of(${JSON.stringify(name)}): protocol must be TCP, UDP or SCTP, not ${JSON.stringify(protocol)}`);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new TypeError(
        `RequiredPaths.of(${JSON.stringify(name)}): port must be a whole number from 1 to 65535, not ${JSON.stringify(port)}`,
      );
    }
    return { name, from, to, protocol, port };
  }

  /**
   * The paths cert-manager needs, the incident's among them: kube-apiserver (from another node, and
   * from the webhook pod's own node) to the webhook's pod port; each component (controller,
   * webhook, cainjector) to CoreDNS (`kube-system`, `k8s-app: kube-dns`) on UDP and TCP 53 and to
   * kube-apiserver; the controller to the internet on TCP 443 for ACME.
   *
   * The pods' labels are the ones cert-manager's chart sets on its pod templates
   * (cert-manager/cert-manager `deploy/charts/cert-manager/templates/webhook-deployment.yaml` at
   * 00891767d32d43354021d1a0d490b268ba39bbca, `deployment.yaml` and `cainjector-deployment.yaml`:
   * `app`, `app.kubernetes.io/name`, `app.kubernetes.io/instance` = the release, and
   * `app.kubernetes.io/component`). The chart adds more (`podLabels`, `helm.sh/chart`, the version),
   * so these paths are decided with `labels: "partial"`.
   *
   * @example
   * new NetworkPolicies(stack, "policies", {
   *   directories: ["policies"],
   *   requiredPaths: RequiredPaths.certManager({ acme: false }),
   * });
   */
  public static certManager(options: CertManagerPathsOptions = {}): RequiredPath[] {
    const namespace = options.namespace ?? "cert-manager";
    const release = options.release ?? "cert-manager";
    const webhookPort = options.webhookPort ?? 10250;
    const apiServerPort = options.apiServerPort ?? 6443;
    const pods = (app: string, name: string, component: string) => ({
      namespace,
      labels: { app, "app.kubernetes.io/name": name, "app.kubernetes.io/instance": release, "app.kubernetes.io/component": component },
    });
    const components = [
      ["controller", pods("cert-manager", "cert-manager", "controller")],
      ["webhook", pods("webhook", "webhook", "webhook")],
      ["cainjector", pods("cainjector", "cainjector", "cainjector")],
    ] as const;
    const webhook = components[1][1];
    const coreDns = { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } };
    const partial = (path: RequiredPath): RequiredPath => ({ ...path, labels: "partial" });
    const prefix = `${release}/`;
    const paths: RequiredPath[] = [
      RequiredPaths.of(`${prefix}apiserver-remote-to-webhook`, { entity: "kube-apiserver", node: "remote" }, webhook, "TCP", webhookPort),
      RequiredPaths.of(`${prefix}apiserver-local-to-webhook`, { entity: "kube-apiserver", node: "local" }, webhook, "TCP", webhookPort),
    ];
    for (const [component, peer] of components) {
      paths.push(
        RequiredPaths.of(`${prefix}${component}-to-dns-udp`, peer, coreDns, "UDP", 53),
        RequiredPaths.of(`${prefix}${component}-to-dns-tcp`, peer, coreDns, "TCP", 53),
        RequiredPaths.of(`${prefix}${component}-to-apiserver`, peer, { entity: "kube-apiserver" }, "TCP", apiServerPort),
      );
    }
    if (options.acme ?? true)
      paths.push(RequiredPaths.of(`${prefix}controller-to-acme`, components[0][1], { entity: "world" }, "TCP", 443));
    return paths.map(partial);
  }
}
