// API Lambda: API Gateway HTTP API (payload 2.0) → the Hono app.
import { handle } from 'hono/aws-lambda';
import { createApp } from '../../shared/api/app.js';
import { loadConfig } from '../../shared/config.js';
import { jsonLogger } from '../../shared/logger.js';
import { loadShareSecrets } from '../../shared/storage/share-secrets.js';
import { createStores } from '../../shared/storage/wiring.js';

const config = loadConfig(process.env);
const { analyses, archives, uploads, repos, keys, requestKeys, queue } = createStores(config);
const shareSecrets = config.shareSecretArn ? await loadShareSecrets(config.region, config.shareSecretArn) : config.shareSecrets;

export const handler = handle(
  createApp({
    analyses,
    archives,
    reportBodies: archives,
    uploads,
    repos,
    keys,
    requestKeys,
    shareSecrets,
    ...(queue ? { queue } : {}),
    limits: config.limits,
    retentionDays: config.retentionDays,
    log: jsonLogger(),
  }),
);
