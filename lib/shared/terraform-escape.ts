import { Token } from "cdktf";

/**
 * Makes user-supplied text literal for Terraform: in cdk.tf.json every string is
 * a template, so `${...}` would be evaluated and `%{...}` run as a directive.
 * `${` becomes `$${` and `%{` becomes `%%{`, which Terraform reads back as the
 * original text. Applied deep (objects, lists); unresolved cdktf tokens (a
 * reference the construct itself made) are left alone.
 */
export function escapeTerraform<T>(value: T): T {
  if (typeof value === "string") {
    if (Token.isUnresolved(value)) return value;
    // Replacement functions: in a replacement string "$$" would mean one "$".
    return value.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{") as T;
  }
  if (Array.isArray(value)) return value.map((v) => escapeTerraform(v)) as T;
  if (typeof value === "object" && value !== null && !Token.isUnresolved(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeTerraform(k), escapeTerraform(v)])) as T;
  }
  return value;
}

/** The inverse of {@link escapeTerraform} for one string: what Terraform makes of it. */
export function unescapeTerraform(text: string): string {
  return text.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
}
