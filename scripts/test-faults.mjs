#!/usr/bin/env node
// The long fault-injection profile: `npm run test:faults` (build the server first: `npm run build -w server`).
// Runs test/faults/run-long.ts, compiling the TypeScript test code on the fly with @swc/core (already
// used by Jest), so the same scenario code serves this profile and the short one in `npm test`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
process.setSourceMapsEnabled?.(true);
require(path.join(root, 'test/faults/run-long.ts'));
