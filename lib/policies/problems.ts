// A problem with one policy document (file, document, field, message) and PolicyValidationError,
// the SynthError that carries every problem of a synth at once.
import { decodePointer } from "../shared/json-pointer";
import { hidden, SynthError } from "../shared/synth-error";

/** One thing wrong with one policy document. */
export interface PolicyProblem {
  /** The file the document came from, or `<code:ID>` for objects passed in code. */
  readonly file: string;
  /** 1-based position of the document in its file (multi-document YAML). */
  readonly document: number;
  /** Dotted path of the offending field, e.g. `spec.ingress[0].ports[1].port`; `(document)` for the whole. */
  readonly field: string;
  readonly message: string;
}

/** Where a document came from. */
export interface DocumentSource {
  readonly file: string;
  readonly document: number;
}

export function problemAt(source: DocumentSource, field: string, message: string): PolicyProblem {
  return { file: source.file, document: source.document, field, message };
}

export function formatProblem(p: PolicyProblem): string {
  return `${p.file} (document ${p.document}) ${p.field}: ${p.message}`;
}

/**
 * Thrown at synth when any policy is bad. Carries every problem found in every
 * file, so one run reports them all; nothing is synthesized.
 */
export class PolicyValidationError extends SynthError {
  /** `others`: the construct's problems that belong to no document (props, directories), listed first. */
  constructor(
    public readonly problems: readonly PolicyProblem[],
    constructPath = "network policies",
    others: readonly string[] = [],
  ) {
    super(constructPath, [...others, ...problems.map(formatProblem)]);
    this.name = "PolicyValidationError";
    hidden(this, "problems", problems);
  }
}

/** `["spec", "ingress", 0, "ports"]` -> `spec.ingress[0].ports` */
export function fieldPath(parts: ReadonlyArray<string | number>): string {
  let out = "";
  for (const part of parts) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out === "" ? "(document)" : out;
}

/** Ajv-style instancePath (`/spec/ingress/0/ports`) -> `spec.ingress[0].ports` */
export function fieldFromPointer(pointer: string): string {
  return fieldPath(decodePointer(pointer));
}
