// Jest settings of libs/messaging's test targets, which run with --experimental-vm-modules (project.json) so that
// @platformatic/kafka, an ES module only, can be loaded by require() as Node 26 does in the services. With that flag
// Jest loads ES modules natively, so none is transformed to CommonJS: jose, which the preset transforms for projects
// without the flag, would otherwise be run as an ES module after being compiled to CommonJS, and fail.
function withNativeEsm(config) {
  const transform = Object.fromEntries(
    Object.entries(config.transform).filter(([pattern]) => !pattern.includes('node_modules')),
  );
  return { ...config, transform, transformIgnorePatterns: ['/node_modules/'] };
}

module.exports = { withNativeEsm };
