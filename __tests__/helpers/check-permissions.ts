/**
 * CHECK_PERMISSIONS as an authorizer for the stand-in API server: each documented
 * permission allows the requests it stands for against the stand-in's names (cert-manager
 * in `cert-manager`, its webhook Service `cert-manager-webhook`, Cilium in `kube-system`),
 * and anything else is 403. One table for every test that asks "does the documented list
 * cover what the check does?"; a permission added to the list without its requests here
 * fails those tests at once.
 */
import { CHECK_PERMISSIONS } from "../../lib/webhook-check/probes/permissions";
import type { Scenario } from "./fake-apiserver";

type Request = readonly [method: "GET" | "POST", path: RegExp];

/**
 * The requests each permission allows, found by its verbs, resource and where. Rows whose
 * requests the stand-ins never see (no APIService, webhook or CRD is served) allow none.
 */
const GRANTS: ReadonlyArray<readonly [RegExp, readonly Request[]]> = [
  [/^get \/version /, [["GET", /^\/version$/]]],
  [
    /^create certificaterequests\.cert-manager\.io /,
    [["POST", /^\/apis\/cert-manager\.io\/v1\/namespaces\/cert-manager\/certificaterequests$/]],
  ],
  [/^get namespaces @/, [["GET", /^\/api\/v1\/namespaces\/cert-manager$/]]],
  [/^get services @/, [["GET", /^\/api\/v1\/namespaces\/cert-manager\/services\/cert-manager-webhook$/]]],
  [
    /^list endpointslices\.discovery\.k8s\.io @ the same namespaces/,
    [["GET", /^\/apis\/discovery\.k8s\.io\/v1\/namespaces\/cert-manager\/endpointslices$/]],
  ],
  [/^list apiservices\./, [["GET", /^\/apis\/apiregistration\.k8s\.io\/v1\/apiservices$/]]],
  [/^get \/apis\/<group>\/<version> /, []],
  [/^list validatingwebhookconfigurations\./, [["GET", /^\/apis\/admissionregistration\.k8s\.io\/v1\/validatingwebhookconfigurations$/]]],
  [/^list mutatingwebhookconfigurations\./, [["GET", /^\/apis\/admissionregistration\.k8s\.io\/v1\/mutatingwebhookconfigurations$/]]],
  [/^list customresourcedefinitions\./, [["GET", /^\/apis\/apiextensions\.k8s\.io\/v1\/customresourcedefinitions$/]]],
  [/^create configmaps /, []],
  [/^list the custom resources /, []],
  [/^get configmaps \(cilium-config only\)/, [["GET", /^\/api\/v1\/namespaces\/kube-system\/configmaps\/cilium-config$/]]],
  [/^list nodes /, [["GET", /^\/api\/v1\/nodes$/]]],
  [
    /^list endpointslices\.discovery\.k8s\.io \(the kubernetes Service's\)/,
    [["GET", /^\/apis\/discovery\.k8s\.io\/v1\/namespaces\/default\/endpointslices$/]],
  ],
];

/** The requests one documented permission allows; a permission this table does not know is an error. */
export function requestsOf(p: { readonly verbs: string; readonly resource: string; readonly where: string }): readonly Request[] {
  const row = `${p.verbs} ${p.resource} @ ${p.where}`;
  const found = GRANTS.filter(([match]) => match.test(row));
  if (found.length !== 1) throw new Error(`CHECK_PERMISSIONS row "${row}" matches ${found.length} grants in check-permissions.ts`);
  return found[0][1];
}

/** Whether the documented permissions allow this request. */
export function documentedAllows(method: string, path: string): boolean {
  return CHECK_PERMISSIONS.some((p) => requestsOf(p).some(([m, re]) => m === method && re.test(path)));
}

/** A stand-in's `respond` that serves what the documented permissions allow and forbids the rest. */
export const onlyDocumentedPermissions: NonNullable<Scenario["respond"]> = (method, path) =>
  documentedAllows(method, path)
    ? undefined
    : {
        status: 403,
        json: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Forbidden", code: 403, message: `${path} is forbidden` },
      };
