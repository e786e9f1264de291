// The Cilium pin has one home, lib/cilium-version.ts: Renovate updates that line,
// README and help follow it (npm run docs), snapshots are the only other copies.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_CILIUM_VERSION } from "../lib/cilium-version";

const root = path.join(__dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

test("the pin is an exact 1.x.y release", () => {
  expect(DEFAULT_CILIUM_VERSION).toMatch(/^1\.\d+\.\d+$/);
});

test("renovate.json's regex manager matches the constant's line and captures the pinned version", () => {
  const manager = JSON.parse(read("renovate.json")).customManagers[0];
  const file = "lib/cilium-version.ts";
  const filePattern = manager.managerFilePatterns[0] as string;
  expect(new RegExp(filePattern.slice(1, -1)).test(file)).toBe(true);
  const matches = [...read(file).matchAll(new RegExp(manager.matchStrings[0], "g"))];
  expect(matches.map((m) => m.groups?.currentValue)).toEqual([DEFAULT_CILIUM_VERSION]);
  expect(manager).toMatchObject({ datasourceTemplate: "helm", registryUrlTemplate: "https://helm.cilium.io", depNameTemplate: "cilium" });
});

test("README and help state the pinned version (npm run docs keeps them in step)", () => {
  const check = spawnSync(process.execPath, [path.join(root, "scripts", "docs.mjs"), "--check"], { encoding: "utf8" });
  expect(check.stderr).toBe("");
  expect(check.status).toBe(0);
  expect(read("help")).toContain(`chart cilium ${DEFAULT_CILIUM_VERSION} from`);
  expect(read("README.md")).toContain(`<!-- cilium-version -->\`${DEFAULT_CILIUM_VERSION}\`<!-- /cilium-version -->`);
});

test("the vendored schema's README names the pin it is compared with", () => {
  expect(read("schemas/cilium/README.md")).toContain(`chart \`${DEFAULT_CILIUM_VERSION}\``);
});
