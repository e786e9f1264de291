// The stand-in's authorizer (helpers/check-permissions.ts) knows every documented permission,
// so the RBAC tests that serve "exactly the documented permissions" serve all of them.
import { CHECK_PERMISSIONS } from "../../lib/webhook-check/probes/permissions";
import { requestsOf } from "../helpers/check-permissions";

test.each(CHECK_PERMISSIONS.map((p) => [`${p.verbs} ${p.resource}`, p] as const))("%s has its requests in the authorizer", (_, p) => {
  expect(() => requestsOf(p)).not.toThrow();
});

test("a permission the authorizer does not know is an error, not a silent 403 (negative control)", () => {
  expect(() => requestsOf({ verbs: "watch", resource: "pods", where: "cluster" })).toThrow(/matches 0 grants/);
});
