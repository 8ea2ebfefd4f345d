#!/usr/bin/env node
// Creates a migration and registers it:
//   npm run migration:create -w server -- add-event-registrations
// writes server/src/database/migrations/<timestamp>-add-event-registrations.ts (class
// AddEventRegistrations<timestamp>) and rewrites migrations/index.ts, the ordered list the data source
// runs. `--index` only rewrites the index (after adding or renaming a file by hand).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'server', 'src', 'database', 'migrations');
const args = process.argv.slice(2);
const FILE = /^(\d{13})-([a-z0-9-]+)\.ts$/;
const pascal = (kebab) => kebab.replace(/(^|-)([a-z0-9])/g, (_, __, c) => c.toUpperCase());

if (!args.includes('--index')) {
  const name = args.find((a) => !a.startsWith('--'));
  if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
    console.error('usage: npm run migration:create -w server -- <kebab-case-name>');
    process.exit(2);
  }
  const stamp = Date.now();
  const cls = `${pascal(name)}${stamp}`;
  const file = path.join(dir, `${stamp}-${name}.ts`);
  writeFileSync(
    file,
    `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${cls} implements MigrationInterface {
  name = '${cls}';

  async up(q: QueryRunner): Promise<void> {
    await q.query(\`\`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(\`\`);
  }
}
`,
  );
  console.log(`created ${path.relative(process.cwd(), file)}`);
}

// The class each file exports, as written there.
const migrations = readdirSync(dir)
  .map((f) => f.match(FILE))
  .filter(Boolean)
  .sort((a, b) => a[1].localeCompare(b[1]))
  .map((m) => {
    const cls = readFileSync(path.join(dir, m[0]), 'utf8').match(/export class (\w+)/)?.[1];
    if (!cls) throw new Error(`${m[0]} exports no migration class`);
    return { module: `./${m[1]}-${m[2]}`, cls };
  });
writeFileSync(
  path.join(dir, 'index.ts'),
  `// Written by \`npm run migration:create -w server\` (scripts/new-migration.mjs): every migration, oldest first.
${migrations.map((m) => `import { ${m.cls} } from '${m.module}';`).join('\n')}

export const MIGRATIONS = [
${migrations.map((m) => `  ${m.cls},`).join('\n')}
];
`,
);
console.log(`index: ${migrations.length} migrations`);
