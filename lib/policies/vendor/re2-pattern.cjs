// The regular-expression engine of the Cilium policy validator (scripts/bundle.mjs hands it
// to ajv as `code.regExp`, so the standalone code calls it for every CRD `pattern`).
// CRD patterns are Go RE2 (apiextensions-apiserver validates them with kube-openapi, which
// compiles them with Go's regexp and calls MatchString: an unanchored search). re2js is a
// pure-JavaScript port of RE2/J: linear time, RE2 syntax (`\PC` compiles; JavaScript's
// RegExp refuses it, and backtracks exponentially on `^([-a-zA-Z0-9_]+[.]?)+$`).
const { RE2JS } = require("re2js");

/** An ajv RegExpEngine: `test` is Go's MatchString (find anywhere), never a full match. */
function re2Pattern(pattern) {
  const re = RE2JS.compile(pattern);
  return { test: (value) => re.matcher(value).find(), toString: () => `re2:${pattern}` };
}
// The bundle's entry lies in dist/vendor/<line>/ (scripts/bundle.mjs): three levels below the package root.
re2Pattern.code = 'require("../../../lib/policies/vendor/re2-pattern.cjs").re2Pattern';

module.exports = { re2Pattern };
