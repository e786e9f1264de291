// The check's defaults are written twice for a reader: in the settings table (what the CLI
// and the construct use) and in the TSDoc `@default` of the construct's props (what the API
// reference shows). These tests read the TSDoc from the sources and compare it with the table,
// so a default changed in one place and not the other fails here.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CHECK_DEFAULTS } from "../../lib/webhook-check/settings";

const LIB = path.resolve(__dirname, "..", "..", "lib");
const source = (file: string) => readFileSync(path.join(LIB, file), "utf8");

/** Each prop's `@default` text, by prop name, from the TSDoc block right above `readonly <prop>?`. */
function documentedDefaults(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const m of text.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*readonly (\w+)\??:/g)) {
    const tag = /@default (.+)/.exec(m[1]);
    if (tag) found.set(m[2], tag[1].trim());
  }
  return found;
}

/** A value of the table as TSDoc writes it: strings quoted, numbers bare. */
const asTsdoc = (v: string | number) => (typeof v === "string" ? JSON.stringify(v) : String(v));

/** WebhookCheckOptions' prop for each setting with a default. */
const PROPS: Record<keyof typeof CHECK_DEFAULTS, string> = {
  namespace: "namespace",
  service: "service",
  port: "port",
  scope: "scope",
  timeout: "timeoutSeconds",
  interval: "intervalSeconds",
};

test.each(Object.entries(PROPS))("WebhookCheckOptions' @default of the %s setting is the settings table's", (setting, prop) => {
  const documented = documentedDefaults(source("webhook-check/webhook-check.ts")).get(prop);
  expect(documented).toBe(asTsdoc(CHECK_DEFAULTS[setting as keyof typeof CHECK_DEFAULTS]));
});

test("CiliumPlatform's @default of `check` names the settings table's webhook and deadline", () => {
  const d = CHECK_DEFAULTS;
  expect(documentedDefaults(source("platform/cilium-platform.ts")).get("check")).toBe(
    `- the check with its defaults (${d.namespace}/${d.service}:${d.port}, ${d.timeout} s)`,
  );
});

test("a drifted @default is read as written (negative control)", () => {
  const drifted = source("webhook-check/webhook-check.ts").replace("@default 120", "@default 90");
  expect(documentedDefaults(drifted).get("timeoutSeconds")).toBe("90");
  expect(documentedDefaults(drifted).get("timeoutSeconds")).not.toBe(asTsdoc(CHECK_DEFAULTS.timeout));
});
