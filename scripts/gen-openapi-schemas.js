// Regenerates api/generated/openapi-schemas.json (run `npx tsc -b api` first); `--check` only verifies it is current.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const { generateDefinitions, renderSchemaFile, schemaFilePath } = require(path.join(__dirname, '..', 'api', 'dist', 'openapi', 'generate.js'));

const check = process.argv.includes('--check');
const verbose = process.argv.includes('--verbose');
const { file, notes } = generateDefinitions();
const text = renderSchemaFile(file);
const relative = path.relative(process.cwd(), schemaFilePath);
for (const note of verbose ? notes : []) console.log(`note: ${note}`);
if (check) {
  const current = fs.existsSync(schemaFilePath) ? fs.readFileSync(schemaFilePath, 'utf8') : '';
  if (current !== text) {
    console.error(`${relative} is out of date: run node scripts/gen-openapi-schemas.js`);
    process.exit(1);
  }
  console.log(`${relative} is up to date`);
} else {
  fs.mkdirSync(path.dirname(schemaFilePath), { recursive: true });
  fs.writeFileSync(schemaFilePath, text);
  console.log(`wrote ${relative}: ${Object.keys(file.definitions).length} definitions, ${text.length} bytes, ${notes.length} notes (--verbose lists them)`);
}
