// The cluster suite's globalSetup: the run's temporary directory and test PKI, as every suite
// has (scripts/jest-global.js), then kube-apiserver and etcd, built once for the run (or taken
// from the cache) before any test file starts, so no test's deadline includes a build.
import { createRequire } from "node:module";
import { ensureBinaries } from "./build.mjs";

const require = createRequire(import.meta.url);

export default async function setup() {
  await require("../jest-global.js").setup();
  await ensureBinaries();
}
