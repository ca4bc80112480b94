// Three tiers, one runner: unit tests (*.spec.ts) need nothing; integration tests (*.int.test.ts) talk to
// PostgreSQL; end-to-end tests (*.e2e.test.ts) go through the gateway. globalSetup prepares one migrated database
// per worker: the PostgreSQL server when it answers, embedded PGlite otherwise (test/support/test-database.ts).
const fs = require('node:fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swc.$schema;

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  setupFiles: ['reflect-metadata'],
  modulePathIgnorePatterns: ['<rootDir>/.genuine/'],
};

/** @type {import('jest').Config} */
module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{services,scripts,test,bench,infra}/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{services,scripts,test,bench,infra}/**/*.int.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e.test.ts'] },
  ],
};
