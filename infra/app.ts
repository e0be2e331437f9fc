// The CDK app (`cdk.json` runs it: `node --import tsx infra/app.ts`). No account or region: the stack is
// environment-agnostic and synthesizes with no credentials and no network; `cdk deploy` picks both up
// from the caller's AWS configuration.
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { TraceLensStack } from './stack.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

const app = new App();
new TraceLensStack(app, 'TraceLens', {
  projectRoot,
  description: 'TraceLens: serverless trace analysis for Go programs',
});
app.synth();
