import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { BRANCH_INDEX, REPO_INDEX, TTL_ATTRIBUTE } from '../../shared/storage/keys.js';

/**
 * The single table (SPEC §8): analyses, findings, the per-repo and per-branch indexes, baseline pointers,
 * API keys and idempotency records, told apart by their `PK`/`SK` prefixes. On demand, point-in-time
 * recovery, deletion protection, and retained with the stack's deletion.
 */
export class AnalysisTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'PK', type: AttributeType.STRING },
      sortKey: { name: 'SK', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // `GET /v1/repos/{repo}/analyses`: newest first per repo (`GSI1PK` = the repo, `GSI1SK` sorts by time).
    this.table.addGlobalSecondaryIndex({
      indexName: REPO_INDEX,
      partitionKey: { name: 'GSI1PK', type: AttributeType.STRING },
      sortKey: { name: 'GSI1SK', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    // `GET /v1/repos/{repo}/analyses?branch=` and `compare?base=branch:NAME`: newest first per branch.
    this.table.addGlobalSecondaryIndex({
      indexName: BRANCH_INDEX,
      partitionKey: { name: 'GSI2PK', type: AttributeType.STRING },
      sortKey: { name: 'GSI2SK', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
