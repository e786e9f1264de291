import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tempDir } from "./temp";

/** A fresh temporary directory holding the given files (relative path -> content). */
export function policyDir(files: Record<string, string>): string {
  const dir = tempDir("cdktf-cilium-policies-");
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}

/** A valid NetworkPolicy document as YAML, with `spec` lines appended. */
export function networkPolicyYaml(name: string, namespace: string | undefined, spec = "  podSelector: {}\n"): string {
  return [
    "apiVersion: networking.k8s.io/v1",
    "kind: NetworkPolicy",
    "metadata:",
    `  name: ${name}`,
    ...(namespace !== undefined ? [`  namespace: ${namespace}`] : []),
    "spec:",
    spec.replace(/\n$/, ""),
    "",
  ].join("\n");
}
