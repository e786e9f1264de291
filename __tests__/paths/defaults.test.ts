// The engine's Cilium defaults (DEFAULT_CILIUM_SETTINGS, lib/paths/input.ts) have one home. The
// chart's defaults (a release without those values) and the agent's (a cilium-config without
// those keys) are other facts, cited where they sit; these tests say that they agree today.
import { ciliumPolicySettings } from "../../lib/proof/cilium-settings";
import { DEFAULT_CILIUM_SETTINGS } from "../../lib/paths/input";
import { CILIUM_KEYS } from "../../lib/webhook-check/probes/cilium-assumptions";

test("a release without policy values has the engine's defaults (the chart's defaults agree)", () => {
  expect(ciliumPolicySettings({}, DEFAULT_CILIUM_SETTINGS.version)).toEqual(DEFAULT_CILIUM_SETTINGS);
});

test("a cilium-config without the proof's keys is read as the engine's defaults (the agent's defaults agree)", () => {
  const disagree = CILIUM_KEYS.filter((k) => k.effective(k.absent) !== k.assumed(DEFAULT_CILIUM_SETTINGS)).map((k) => k.key);
  expect(disagree).toEqual([]);
});
