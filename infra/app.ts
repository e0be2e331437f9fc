// The CDK app (`cdk.json` runs it: `node --import tsx infra/app.ts`). No account or region: the stack is
// environment-agnostic and synthesizes with no credentials and no network; `cdk deploy` picks both up
// from the caller's AWS configuration.
//
// cdk-nag's AwsSolutions pack runs as a policy-validation plugin at synthesis: any finding (error or
// warning) that is not acknowledged in the construct that causes it, with its reason, fails `cdk synth`
// and `cdk deploy`. (cdk-nag 3 replaced v2's `Aspects.of(app).add(...)` and `NagSuppressions` with CDK's
// `Validations.of(...).addPlugins(...)` and `.acknowledge({ id, reason })`.)
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TraceLensStack } from './stack.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
new TraceLensStack(app, 'TraceLens', {
  projectRoot,
  description: 'TraceLens: serverless trace analysis for Go programs',
});
app.synth();
