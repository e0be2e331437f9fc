// `npm start`: the whole service on this machine (SPEC §7): embedded S3 and DynamoDB, the API, the analyzer.
import { resolve } from 'node:path';
import { startLocalService } from '../../shared/local/service.js';
import { loadLimits } from '../../shared/config.js';
import { textLogger } from '../../shared/logger.js';
import { createHandler } from '../analyzer/handler.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const log = textLogger();
const dataDir = resolve(process.env.TRACELENS_DATA_DIR || '.data');
const port = Number(process.env.PORT || 3000);

let service: Awaited<ReturnType<typeof startLocalService>>;
try {
  service = await startLocalService({ dataDir, port, log, limits: loadLimits(process.env), createAnalyzer: createHandler });
} catch (err) {
  log.error(`tracelens: could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
const url = service.url.replace('127.0.0.1', 'localhost');
console.log(`TraceLens is running at ${url} (data in ${dataDir})

Your local API key (tenant "local", every scope):
TRACELENS_TOKEN=${service.token}

Try it:
  export TRACELENS_URL=${url} TRACELENS_TOKEN=${service.token}
  curl -sS -H "Authorization: Bearer $TRACELENS_TOKEN" -X POST --data-binary @examples/mapstress-boxed.tar.gz \\
    "$TRACELENS_URL/v1/analyses?repo=demo&branch=main&commit=abc"
  curl -sS -H "Authorization: Bearer $TRACELENS_TOKEN" $TRACELENS_URL/v1/analyses/<id from the response>

Ctrl-C stops it; the analyses stay in ${dataDir}.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130);
    stopping = true;
    log.info('stopping…');
    service.stop().then(
      () => process.exit(0),
      (err) => {
        log.error('stop failed', { error: String(err) });
        process.exit(1);
      },
    );
  });
}
