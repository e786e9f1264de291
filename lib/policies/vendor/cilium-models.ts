// Entry point of dist/vendor/cilium-models.js: Cilium's policy models with their
// CRD-schema validators, bundled to CommonJS at build time (scripts/bundle.mjs).
// @kubernetes-models/cilium is ESM-only with an import-only exports map; bundling
// lets synchronous construct code require it on every Node version and loader.
export { CiliumNetworkPolicy } from "@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy";
export { CiliumClusterwideNetworkPolicy } from "@kubernetes-models/cilium/cilium.io/v2/CiliumClusterwideNetworkPolicy";
