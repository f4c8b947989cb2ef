// Jest: unit tests (*.test.ts) and integration tests (*.int.test.ts, against real etcd) as two projects.
const base = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.base.json' }] },
  moduleNameMapper: { '^@keelson/(.*)$': '<rootDir>/$1/src' },
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};

module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/*/src/**/*.test.ts'],
      testPathIgnorePatterns: [...base.testPathIgnorePatterns, '\\.int\\.test\\.ts$'],
    },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/*/src/**/*.int.test.ts'],
      globalSetup: '<rootDir>/e2e/jest/global-setup.ts',
      globalTeardown: '<rootDir>/e2e/jest/global-teardown.ts',
      testTimeout: 60000,
    },
  ],
};
