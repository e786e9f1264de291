import { mkdirSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TerraformStack } from "cdktf";
import { ClusterProviders } from "../../lib";
import { parseCheckArgs } from "../../lib/webhook-check/settings";
import { testApp, warningsOf } from "../helpers/synth";
import { tempDir } from "../helpers/temp";

// `~` has one meaning at synth and at apply: the synth warning about a missing kubeconfig
// looks where the check will read. Node's os.homedir() follows $HOME when set, so the two
// homes differ only when the OS's home is another; the spy stands in for that machine.

afterEach(() => jest.restoreAllMocks());

test("the check reads a ~/ kubeconfig under $HOME", () => {
  const options = parseCheckArgs(["--kubeconfig", "~/.kube/lab"], { HOME: "/home/op" });
  expect(options !== "help" && options.kubeconfig).toEqual([path.join("/home/op", ".kube", "lab")]);
});

test("a ~/ kubeconfig that exists under $HOME is no synth warning, where the OS's home differs", () => {
  const home = tempDir("home-");
  mkdirSync(path.join(home, ".kube"));
  writeFileSync(path.join(home, ".kube", "lab"), "apiVersion: v1\nkind: Config\n");
  const saved = process.env.HOME;
  process.env.HOME = home;
  jest.spyOn(os, "homedir").mockReturnValue(tempDir("other-home-"));
  try {
    const stack = new TerraformStack(testApp(), "s");
    new ClusterProviders(stack, "lab", { kubeconfigPaths: ["~/.kube/lab"] });
    expect(warningsOf(stack)).toEqual([]);
  } finally {
    process.env.HOME = saved;
  }
});
