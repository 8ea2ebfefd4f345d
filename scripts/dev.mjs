#!/usr/bin/env node
// `npm run dev`: the server recompiled on change and restarted (tsc --watch + node --watch), and the
// Vite dev server on :5173 proxying /api, /ws, /health and /metrics to it. Ctrl-C stops all three.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const children = [];

function run(label, cmd, args, opts = {}) {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  const prefix = (line) => `[${label}] ${line}`;
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const l of lines) process.stdout.write(prefix(l) + '\n');
    });
  }
  child.on('exit', (code) => {
    if (!stopping) {
      console.log(prefix(`exited with ${code}; stopping`));
      stop();
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop() {
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  setTimeout(() => process.exit(0), 3000).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// A first full compile so node --watch has something to start.
if (!existsSync(path.join(root, 'server', 'dist', 'main.js'))) {
  const r = spawn(bin('tsc'), ['-p', 'server/tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  await new Promise((resolve) => r.on('exit', resolve));
}
run('tsc', bin('tsc'), ['-p', 'server/tsconfig.build.json', '--watch', '--preserveWatchOutput']);
run('server', process.execPath, ['--watch', '--watch-preserve-output', 'server/dist/main.js'], {
  env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development', CORS_ORIGINS: process.env.CORS_ORIGINS ?? 'http://localhost:3000,http://localhost:5173' },
});
run('vite', bin('vite'), [], { cwd: path.join(root, 'client') });
