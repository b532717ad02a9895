// Fails fast, with the fix, when a script runs on a Node older than the toolchain needs.
// Plain JavaScript on purpose: it must run on the old Node it is warning about.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(
    `Inkling's scripts need Node 22 or newer, and this is Node ${process.versions.node}.\n` +
      'The project brings its own Node 24 (the "node" devDependency): run `npm ci` without --ignore-scripts,\n' +
      'then use `npm run …` / `npm test`, which put node_modules/.bin/node first on the PATH.',
  );
  process.exit(1);
}
