import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseScopes } from '../auth/api-keys.js';
import { lockDataDir } from '../local/data-dir-lock.js';
import { LOCAL_TABLE, readLocalEndpoints } from '../local/service.js';
import { createDynamoClient, documentClient } from '../storage/clients.js';
import { DynamoApiKeyStore, type ApiKeyStore } from '../storage/dynamo-api-key-store.js';
import { startEmbeddedStores } from '../storage/embedded.js';
import { ensureTable } from '../storage/provision.js';
import { UsageError, type CliIo } from './io.js';

export const KEYS_USAGE = 'tracelens keys create|list|revoke [KEY_ID] [--tenant T] [--scopes ingest,read,admin] [--name TEXT]';

/**
 * `tracelens keys`: API keys for operators (SPEC §6), straight in the table — never through the API.
 * Where: `TABLE_NAME` set → that DynamoDB table with the caller's AWS credentials; otherwise the local
 * service's embedded table (`TRACELENS_DATA_DIR`, default `.data/`): through the running service's
 * emulator, or by opening the data directory itself when no service runs.
 */
export async function keysCommand(argv: string[], io: CliIo, env: Record<string, string | undefined> = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { tenant: { type: 'string' }, scopes: { type: 'string' }, name: { type: 'string' } },
  });
  const [action, keyId, ...extra] = positionals;
  if (!action || !['create', 'list', 'revoke'].includes(action) || extra.length > 0) throw new UsageError(`usage: ${KEYS_USAGE}`);
  if (action === 'revoke' && !keyId) throw new UsageError(`revoke needs the KEY_ID (see tracelens keys list)\nusage: ${KEYS_USAGE}`);
  const now = new Date().toISOString();
  return withKeyStore(env, async (keys, where) => {
    if (action === 'create') {
      let scopes;
      try {
        scopes = parseScopes(values.scopes ?? 'ingest,read');
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const tenant = values.tenant ?? (where.local ? 'local' : undefined);
      if (!tenant) throw new UsageError(`create needs --tenant on a real table\nusage: ${KEYS_USAGE}`);
      const { key, info } = await keys.create(tenant, scopes, values.name, now);
      io.stderr.write(`created key ${info.keyId} for tenant ${info.tenant} (${info.scopes.join(',')}) in ${where.label}; the secret is shown once:\n`);
      io.stdout.write(`TRACELENS_TOKEN=${key}\n`);
      return 0;
    }
    if (action === 'list') {
      const list = await keys.list(values.tenant);
      io.stdout.write('KEY_ID        TENANT           SCOPES              CREATED                   STATE    NAME\n');
      for (const k of list) {
        io.stdout.write(
          `${k.keyId.padEnd(13)} ${k.tenant.padEnd(16)} ${k.scopes.join(',').padEnd(19)} ${k.createdAt.padEnd(25)} ${(k.revokedAt ? 'revoked' : 'active').padEnd(8)} ${k.name ?? ''}\n`,
        );
      }
      return 0;
    }
    await keys.revoke(keyId!, now);
    io.stderr.write(`revoked ${keyId} in ${where.label}\n`);
    return 0;
  });
}

async function withKeyStore(
  env: Record<string, string | undefined>,
  run: (keys: ApiKeyStore, where: { label: string; local: boolean }) => Promise<number>,
): Promise<number> {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  if (env.TABLE_NAME) {
    const dynamo = createDynamoClient({ region, ...(env.TRACELENS_DYNAMODB_ENDPOINT ? { endpoint: env.TRACELENS_DYNAMODB_ENDPOINT } : {}) });
    try {
      return await run(new DynamoApiKeyStore(documentClient(dynamo), env.TABLE_NAME), { label: `table ${env.TABLE_NAME}`, local: false });
    } finally {
      dynamo.destroy();
    }
  }
  const dataDir = resolve(env.TRACELENS_DATA_DIR || '.data');
  const running = readLocalEndpoints(dataDir);
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  if (running) {
    const dynamo = createDynamoClient({ region, endpoint: running.dynamoEndpoint, credentials });
    try {
      return await run(new DynamoApiKeyStore(documentClient(dynamo), running.tableName), { label: `the running local service (${dataDir})`, local: true });
    } finally {
      dynamo.destroy();
    }
  }
  if (!existsSync(dataDir) && !existsSync(join(dataDir, '..'))) throw new UsageError(`no data directory ${dataDir}`);
  const unlock = lockDataDir(dataDir);
  const embedded = await startEmbeddedStores({ dataDir });
  const dynamo = createDynamoClient({ region, endpoint: embedded.dynamoEndpoint, credentials: embedded.credentials });
  try {
    await ensureTable(dynamo, LOCAL_TABLE);
    return await run(new DynamoApiKeyStore(documentClient(dynamo), LOCAL_TABLE), { label: `the local data directory ${dataDir}`, local: true });
  } finally {
    dynamo.destroy();
    await embedded.stop();
    unlock();
  }
}

