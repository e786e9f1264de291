/**
 * JSON Pointer (RFC 6901) as ajv writes `instancePath`: `/spec/ingress/0/ports` -> `["spec",
 * "ingress", 0, "ports"]`, `~1` -> `/`, `~0` -> `~` (in that order, as section 4 says), digits as
 * list indices. The empty pointer is the whole document.
 */
export function decodePointer(pointer: string): Array<string | number> {
  if (pointer === "") return [];
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}
