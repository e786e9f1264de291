// prepublishOnly: cdktf-cilium is not published on npm, and the name is not ours
// there, so `npm publish` stops here with the install lines that work. `private: true`
// in package.json also stops it when scripts are skipped (--ignore-scripts):
// libnpmpublish refuses a private manifest (EPRIVATE) before it sends anything.
// `npm pack` never runs this script. To publish one day: claim the name, then drop
// both (and README's "not on npm" line).
console.error(
  [
    "cdktf-cilium is not published on npm (the name is unclaimed there): npm publish is disabled.",
    'Install it from a tarball (npm pack) or from git (npm install git+https://…#vX.Y.Z); see docs/deploying.md, "Installing it into your app".',
  ].join("\n"),
);
process.exit(1);
