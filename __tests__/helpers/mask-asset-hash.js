// Jest snapshot serializer: the check bundle's content hash (in its asset path and
// in the check_script_hash trigger) is masked, so a change to the check's code
// changes no snapshot. webhook-check.test.ts proves separately that the hash
// follows the bundle's content.
const IN_PATH = /(assets\/[^/]+\/)[0-9A-F]{32}(\/)/g;
const WHOLE = /^[0-9A-F]{32}$/;
const MASK = "<asset-hash>";

module.exports = {
  test: (value) => typeof value === "string" && (WHOLE.test(value) || /assets\/[^/]+\/[0-9A-F]{32}\//.test(value)),
  serialize: (value, config, indentation, depth, refs, printer) =>
    printer(WHOLE.test(value) ? MASK : value.replace(IN_PATH, `$1${MASK}$2`), config, indentation, depth, refs),
};
