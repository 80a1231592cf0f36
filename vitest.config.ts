import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/global-kafka.ts', 'test/setup/global-moto.ts'],
    // The AWS SDK's default credential chain reads these (src/ never takes credentials): dummy
    // values for the emulators, so no test can reach real AWS with a developer's credentials, and
    // no instance-metadata lookups. The SDK's Node 20 end-of-support notice is silenced.
    env: {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'eu-west-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
