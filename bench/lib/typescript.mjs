import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';

/**
 * Lets the bench `require` the TypeScript test helpers (server process, socket client, werift peer,
 * RTP) instead of keeping JavaScript copies of them. Compiled with the @swc/core Jest already uses.
 */
const require = createRequire(import.meta.url);
const { transformSync } = require('@swc/core');

if (!Module._extensions['.ts']) {
  Module._extensions['.ts'] = (module, filename) => {
    const { code } = transformSync(readFileSync(filename, 'utf8'), {
      filename,
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    });
    module._compile(code, filename);
  };
}

/** `require` for .ts (and .js) files, paths relative to the repository root. */
export function requireFromRoot(path) {
  return require(new URL(`../../${path}`, import.meta.url).pathname);
}
