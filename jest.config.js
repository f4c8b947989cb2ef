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
  // Integration tests start servers and etcd; a generous bound, never a sleep.
  testTimeout: 60000,
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/*/src/**/*.test.ts'],
      testPathIgnorePatterns: [...base.testPathIgnorePatterns, '\\.int\\.test\\.ts$', '\\.e2e\\.test\\.ts$'],
    },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/*/src/**/*.int.test.ts'],
      globalSetup: '<rootDir>/e2e/src/jest/global-setup.ts',
      globalTeardown: '<rootDir>/e2e/src/jest/global-teardown.ts',
      // @kubernetes/client-node 1.x and its OIDC dependencies are ES modules: babel turns them into CommonJS for jest.
      transform: {
        '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.base.json' }],
        '^.+\\.m?js$': ['babel-jest', { presets: [['@babel/preset-env', { targets: { node: 'current' }, modules: 'commonjs' }]], babelrc: false, configFile: false }],
      },
      transformIgnorePatterns: ['/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose|jsonpath-plus)/)'],
    },
    {
      // End-to-end scenarios against real clusters started by e2e/src/harness (root: namespaces, cgroups, bridges).
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/e2e/src/**/*.e2e.test.ts'],
      // testTimeout is global in jest: each e2e file raises it with jest.setTimeout.
    },
  ],
};
