// Fails with one clear line when the TypeScript build has not been run yet.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

module.exports = function requireBuild(pkg) {
  const entry = path.join(__dirname, '..', pkg, 'dist', 'main.js');
  if (!fs.existsSync(entry)) {
    process.stderr.write(`keelson is not built yet: run \`bash scripts/setup.sh\` (or \`npm ci && npm run build\`) in ${path.join(__dirname, '..')}\n`);
    process.exit(1);
  }
};
