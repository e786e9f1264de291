// Where a stack keeps its Terraform state, from one URL (the dev app's
// `STATE_BACKEND_<ENV>`): local files, or a shared backend with locking.
//
// cdktf writes each cross-stack reference as a `terraform_remote_state` data source
// built by the *producing* stack's backend (`getRemoteStateDataSource` in
// node_modules/cdktf/lib/backends/{local,pg,s3,gcs,cloud}-backend.js, cdktf 0.21.0,
// called from TerraformStack.registerIncomingCrossStackReference): it copies that
// backend's settings, so `<env>` reads `<env>-cilium`'s outputs through the same
// database or bucket its state lives in. The cloud backend can do that only for a
// workspace given by name (`cloudBackendWorkspaceIsNotDefinedByName` otherwise),
// hence NamedCloudWorkspace.
import { CloudBackend, GcsBackend, LocalBackend, NamedCloudWorkspace, PgBackend, S3Backend, type TerraformStack } from "cdktf";
import { SynthError } from "../shared/synth-error";

/** The forms a state backend URL can take, for every refusal. */
export const STATE_BACKEND_FORMS: readonly string[] = [
  "empty or `local` (a state file per stack at the repository root)",
  "`postgres://USER@HOST[:PORT]/DATABASE[?sslmode=MODE]` or `postgresql://…` (password from PGPASSWORD)",
  "`s3://BUCKET/PREFIX?region=REGION&use_lockfile=true` or `…&dynamodb_table=TABLE` (AWS credentials from the environment)",
  "`gcs://BUCKET/PREFIX` (Google credentials from the environment)",
  "`cloud://ORGANIZATION/PREFIX[?hostname=HOST]` (HCP Terraform / Terraform Enterprise; token from TF_TOKEN_<host>)",
];

/**
 * Query parameters that carry a secret. Credentials come from each backend's own
 * environment (PGPASSWORD, AWS_*, GOOGLE_*, TF_TOKEN_*), never from cdk.tf.json.
 * `password`/`sslpassword` are libpq connection parameters (PostgreSQL docs,
 * "Connection Strings", 34.1.2), `access_key`/`secret_key`/`token` the s3
 * backend's credential arguments (Terraform docs, "Backend Type: s3").
 */
const SECRET_PARAMETERS = ["password", "sslpassword", "access_key", "secret_key", "token"];

/** One backend, as parsed from a URL. */
export type StateBackendConfig =
  | { readonly kind: "local" }
  | { readonly kind: "pg"; readonly connStr: string }
  | {
      readonly kind: "s3";
      readonly bucket: string;
      readonly prefix: string;
      readonly region?: string;
      readonly dynamodbTable?: string;
      readonly useLockfile: boolean;
    }
  | { readonly kind: "gcs"; readonly bucket: string; readonly prefix: string }
  | { readonly kind: "cloud"; readonly organization: string; readonly prefix: string; readonly hostname?: string };

/**
 * Parses a state backend URL; `variable` names where it came from in every
 * problem. The URL itself is never repeated in a problem (it may hold a secret).
 * Returns the backend, or the problems.
 */
export function parseStateBackendUrl(value: string | undefined, variable: string): StateBackendConfig | { problems: string[] } {
  const refuse = (why: string) => ({
    problems: [`${variable}: ${why}. A state backend is one of: ${STATE_BACKEND_FORMS.join("; ")}`],
  });
  const text = (value ?? "").trim();
  if (text === "" || text === "local") return { kind: "local" };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse("is not a URL");
  }
  const scheme = url.protocol.replace(/:$/, "");
  if (!["postgres", "postgresql", "s3", "gcs", "cloud"].includes(scheme)) return refuse(`unknown scheme "${scheme}"`);
  const secrets = [
    ...(url.password !== "" ? ["a password in the user part"] : []),
    ...[...url.searchParams.keys()].filter((k) => SECRET_PARAMETERS.includes(k.toLowerCase())).map((k) => `the parameter \`${k}\``),
  ];
  if (secrets.length > 0) {
    return {
      problems: [
        `${variable} holds a secret (${secrets.join(", ")}): it would be written into cdk.tf.json. Remove it and give the ` +
          "credential through the backend's own environment: PGPASSWORD (or ~/.pgpass) for postgres, AWS_ACCESS_KEY_ID/" +
          "AWS_SECRET_ACCESS_KEY/AWS_PROFILE for s3, GOOGLE_APPLICATION_CREDENTIALS for gcs, TF_TOKEN_<host> for cloud",
      ],
    };
  }
  // As given: libpq reads the URL itself (Terraform docs, "Backend Type: pg": conn_str).
  if (scheme === "postgres" || scheme === "postgresql") return { kind: "pg", connStr: text };

  const owner = decodeURIComponent(url.hostname);
  const prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, "");
  const params = [...url.searchParams.entries()];
  const allowed: Record<string, readonly string[]> = { s3: ["region", "dynamodb_table", "use_lockfile"], gcs: [], cloud: ["hostname"] };
  const unknown = params.map(([k]) => k).filter((k) => !allowed[scheme].includes(k));
  if (unknown.length > 0) {
    const known = allowed[scheme].length > 0 ? `; ${scheme}:// takes ${allowed[scheme].join(", ")}` : `; ${scheme}:// takes none`;
    return refuse(`unknown parameter(s) ${unknown.map((k) => `\`${k}\``).join(", ")}${known}`);
  }
  const param = (name: string) => url.searchParams.get(name) ?? undefined;
  if (scheme === "cloud") {
    if (owner === "") return refuse("cloud:// needs the organization (cloud://ORGANIZATION/PREFIX)");
    // HCP Terraform workspace names: letters, numbers, `-` and `_` (HCP Terraform docs, "Creating workspaces").
    if (prefix !== "" && !/^[A-Za-z0-9_-]+$/.test(prefix)) {
      return refuse("cloud:// workspace prefix may hold only letters, digits, `-` and `_` (a workspace name)");
    }
    const hostname = param("hostname");
    return { kind: "cloud", organization: owner, prefix, ...(hostname ? { hostname } : {}) };
  }
  if (owner === "") return refuse(`${scheme}:// needs the bucket (${scheme}://BUCKET/PREFIX)`);
  if (scheme === "gcs") return { kind: "gcs", bucket: owner, prefix };
  const useLockfile = param("use_lockfile");
  if (useLockfile !== undefined && useLockfile !== "true" && useLockfile !== "false") {
    return refuse("s3:// use_lockfile must be `true` or `false`");
  }
  const dynamodbTable = param("dynamodb_table");
  // Shared state without a lock lets two applies overwrite each other: refused.
  if (useLockfile !== "true" && dynamodbTable === undefined) {
    return refuse("s3:// needs a lock: add `&use_lockfile=true` (S3 lock file, Terraform >= 1.10) or `&dynamodb_table=TABLE`");
  }
  const region = param("region");
  return {
    kind: "s3",
    bucket: owner,
    prefix,
    ...(region ? { region } : {}),
    ...(dynamodbTable ? { dynamodbTable } : {}),
    useLockfile: useLockfile === "true",
  };
}

/** `PREFIX<separator><stack>`, or the stack's name alone without a prefix. */
const joined = (prefix: string, stack: string, separator: string) => (prefix === "" ? stack : `${prefix}${separator}${stack}`);

/** What {@link addStateBackend} did. */
export interface StateBackendResult {
  /** `local`, `pg`, `s3`, `gcs` or `cloud`. */
  readonly kind: StateBackendConfig["kind"];
  /** Something to print at synth, when the backend needs a setting outside cdk.tf.json. */
  readonly warning?: string;
}

/**
 * Gives `stack` the backend `value` names (see {@link STATE_BACKEND_FORMS});
 * refuses a bad URL with a SynthError naming the stack and `variable`.
 * Per stack: local `../../../terraform.<stack>.tfstate` (the repository root,
 * seen from cdktf.out/stacks/<stack>); pg schema `terraform_<stack>` (`-` as `_`,
 * an unquoted SQL identifier); s3 key `PREFIX/<stack>.tfstate`; gcs prefix
 * `PREFIX/<stack>`; cloud workspace `PREFIX-<stack>`.
 */
export function addStateBackend(stack: TerraformStack, value: string | undefined, variable: string): StateBackendResult {
  const parsed = parseStateBackendUrl(value, variable);
  if ("problems" in parsed) throw new SynthError(stack, parsed.problems);
  const name = stack.node.id;
  switch (parsed.kind) {
    case "local":
      new LocalBackend(stack, { path: `../../../terraform.${name}.tfstate` });
      return { kind: "local" };
    case "pg":
      new PgBackend(stack, { connStr: parsed.connStr, schemaName: `terraform_${name.replace(/-/g, "_")}` });
      return { kind: "pg" };
    case "s3": {
      const backend = new S3Backend(stack, {
        bucket: parsed.bucket,
        key: `${joined(parsed.prefix, name, "/")}.tfstate`,
        ...(parsed.region ? { region: parsed.region } : {}),
        ...(parsed.dynamodbTable ? { dynamodbTable: parsed.dynamodbTable } : {}),
      });
      // cdktf 0.21's S3BackendConfig predates `use_lockfile` (Terraform 1.10, "Backend
      // Type: s3", State Locking): written with an override.
      if (parsed.useLockfile) backend.addOverride("use_lockfile", true);
      return { kind: "s3" };
    }
    case "gcs":
      new GcsBackend(stack, { bucket: parsed.bucket, prefix: joined(parsed.prefix, name, "/") });
      return { kind: "gcs" };
    case "cloud": {
      // HCP Terraform docs, "Workspace settings" > Execution mode: with Remote (the
      // default) plans and applies run on HCP Terraform's workers, not where `cdktf
      // deploy` runs; Local keeps only the state there.
      const workspace = joined(parsed.prefix, name, "-");
      new CloudBackend(stack, {
        organization: parsed.organization,
        workspaces: new NamedCloudWorkspace(workspace),
        ...(parsed.hostname ? { hostname: parsed.hostname } : {}),
      });
      return {
        kind: "cloud",
        warning:
          `${name}: workspace "${workspace}" of organization "${parsed.organization}" must use Local execution mode ` +
          "(workspace Settings > General > Execution Mode: Local): the webhook check runs `node` and reads the kubeconfig " +
          "where `terraform apply` runs; with Remote execution it fails or checks another cluster",
      };
    }
  }
}
