// Under jest only (jest.config.js, moduleNameMapper): cdktf requires archiver when it
// loads (lib/private/fs.js), about 200 modules that each test file would load again,
// for AssetType.ARCHIVE, which this project never uses (the check ships as a FILE
// asset). Synth as users run it (npm run synth, the e2e and packaging tests) loads the
// real one. Should anything ask for an archive under jest, it fails loudly:
module.exports = () => {
  throw new Error("archiver is stubbed under jest (__tests__/helpers/archiver-stub.js): no test may create an ARCHIVE asset");
};
