// API Lambda: API Gateway HTTP API (payload 2.0) → the Hono app.
import { handle } from 'hono/aws-lambda';
import { createApp } from '../../shared/api/app.js';
import { loadConfig } from '../../shared/config.js';
import { jsonLogger } from '../../shared/logger.js';
import { createStores } from '../../shared/storage/wiring.js';

const config = loadConfig(process.env);
const { analyses, archives, uploads, repos, queue } = createStores(config);

export const handler = handle(
  createApp({
    analyses,
    archives,
    reportBodies: archives,
    uploads,
    repos,
    ...(queue ? { queue } : {}),
    limits: config.limits,
    retentionDays: config.retentionDays,
    log: jsonLogger(),
    defaultTenant: config.defaultTenant,
  }),
);
