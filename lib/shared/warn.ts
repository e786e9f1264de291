// The one way a synth warning is given: a warning annotation on the construct and one stderr line.
import { Annotations } from "cdktf";
import type { IConstruct } from "constructs";

/**
 * A synth warning, said once: recorded as the construct's warning annotation
 * (cdktf-cli prints those again in its own summary) and written to stderr as
 * one line `warning: <construct path>: <message>`, so a plain `node app.js`
 * shows it too.
 */
export function warn(scope: IConstruct, message: string): void {
  const text = `${scope.node.path}: ${message}`;
  Annotations.of(scope).addWarning(text);
  process.stderr.write(`warning: ${text}\n`);
}
