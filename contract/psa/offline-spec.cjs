// Vendored from the project's shared notes (../shared/psa/offline-spec.cjs), unchanged below this
// line; used by contract/src/bin/psa-compliance.rs (`cargo xtask psa-compliance`).
// Preloaded (NODE_OPTIONS=--require) into @ipfs-shipyard/pinning-service-compliance, which fetches
// the Pinning Service API spec from raw.githubusercontent.com when it starts checking (oas2joi ->
// swagger-parser). There is no network beyond package registries here, so the vendored copy of that
// same document (ipfs-pinning-service.yaml beside this file, v1.0.0, CC0) is parsed instead.
// No file of the suite is changed.
//   PSA_SPEC_FILE: the vendored spec;  PSA_COMPLIANCE_DIR: the installed compliance package.
const path = require('path');
const spec = process.env.PSA_SPEC_FILE;
const pkgDir = process.env.PSA_COMPLIANCE_DIR;
if (spec && pkgDir) {
  try {
    const oas = path.dirname(require.resolve('oas2joi/package.json', { paths: [pkgDir] }));
    const SwaggerParser = require(require.resolve('swagger-parser', { paths: [oas] }));
    const original = SwaggerParser.dereference;
    SwaggerParser.dereference = function (p, ...rest) {
      if (typeof p === 'string' && p.startsWith('https://raw.githubusercontent.com/ipfs/pinning-services-api-spec/')) p = spec;
      return original.call(this, p, ...rest);
    };
  } catch (e) {
    process.stderr.write(`psa_offline_spec: cannot redirect the spec download: ${e.message}\n`);
  }
}
