/**
 * The one `~` expansion, used by the check at apply time (kubeconfig paths from
 * KUBECONFIG/--kubeconfig, and paths inside a kubeconfig), as the Terraform providers
 * and client-go expand them: a leading `~` or `~/` becomes the home directory. The
 * constructs write `~/...` unexpanded, so synth output is the same on every machine.
 */
import * as os from "node:os";
import * as path from "node:path";

/** The kubeconfig read when none is named, by the check and by the providers (client-go's default, a leading ~/ expanded). */
export const DEFAULT_KUBECONFIG = "~/.kube/config";

/** `~` and `~/x` under `home` (default: $HOME, else the OS's home directory); any other path unchanged. */
export function expandHome(p: string, home: string | undefined = process.env.HOME): string {
  if (p !== "~" && !p.startsWith("~/")) return p;
  return path.join(home !== undefined && home !== "" ? home : os.homedir(), p.slice(1));
}
