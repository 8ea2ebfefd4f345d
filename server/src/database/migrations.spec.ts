import { readdirSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS } from './migrations';

/** A migration file left out of the index would never run: `npm run migration:create -w server -- --index` fixes it. */
describe('migrations', () => {
  const files = readdirSync(path.join(__dirname, 'migrations')).filter((f) => /^\d{13}-.+\.ts$/.test(f) && !f.endsWith('.spec.ts'));

  it('runs every migration file, oldest first', () => {
    const stamps = MIGRATIONS.map((m) => new m().name.slice(-13));
    expect(stamps).toEqual(files.map((f) => f.slice(0, 13)).sort());
  });

  it('names each migration after its class', () => {
    for (const M of MIGRATIONS) expect(new M().name).toBe(M.name);
  });
});
