/**
 * One Jest run, four projects (the test pyramid): unit specs beside the code, integration on the real
 * app + PostgreSQL, media on a real mediasoup worker, browser on Debian chromium.
 * `--selectProjects unit` runs just the fast layer.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];
const base = { transform: { '^.+\\.(t|j)sx?$': swc }, testEnvironment: 'node' };

module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      roots: ['<rootDir>/server/src', '<rootDir>/client/src'],
      testMatch: ['**/*.spec.ts', '**/*.spec.tsx'],
      moduleNameMapper: { '^@contract$': '<rootDir>/server/src/contract' },
    },
    { ...base, displayName: 'integration', roots: ['<rootDir>/test'], testMatch: ['**/*.int-spec.ts'] },
    { ...base, displayName: 'media', roots: ['<rootDir>/test'], testMatch: ['**/*.media-spec.ts'] },
    { ...base, displayName: 'browser', roots: ['<rootDir>/test'], testMatch: ['**/*.browser-spec.ts'] },
  ],
};
