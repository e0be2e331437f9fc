import { HttpApi, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface HttpEndpointProps {
  /** Serves every route: the Hono app does the routing (SPEC §5). */
  readonly handler: IFunction;
}

/** An HTTP API (API Gateway v2) whose `$default` stage and `$default` catch-all route go to one Lambda. */
export class HttpEndpoint extends Construct {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: HttpEndpointProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      description: 'TraceLens HTTP API (v1)',
      createDefaultStage: true,
      defaultIntegration: new HttpLambdaIntegration('Handler', props.handler, {
        payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
      }),
    });
  }

  /** The `$default` stage's base URL, without a trailing `/` (what `TRACELENS_URL` wants). */
  get url(): string {
    return this.api.apiEndpoint;
  }
}
