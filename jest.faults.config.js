// `npm run test:faults`: the fault-injection suite (test/faults), kept out of `npm test` because
// it spawns several real server processes, a private redis-server and a Postgres proxy. Needs
// Postgres (TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test) and redis-server.
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'],
  maxWorkers: 1,
  testTimeout: 600000,
};
