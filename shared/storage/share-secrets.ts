import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * The share-link signing secrets from Secrets Manager, read once at cold start. The secret is either a
 * plain string (one secret) or JSON `{"current": "...", "previous": "..."}`: links are signed with
 * `current` and verified with both, so rotating is: set `previous` to the old `current`, set a new
 * `current`, and drop `previous` once links signed with it have expired (30 days at most).
 */
export async function loadShareSecrets(region: string, secretArn: string, client = new SecretsManagerClient({ region })): Promise<string[]> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  return parseShareSecret(out.SecretString ?? '');
}

export function parseShareSecret(text: string): string[] {
  const t = text.trim();
  if (t.startsWith('{')) {
    const j = JSON.parse(t) as { current?: unknown; previous?: unknown };
    return [j.current, j.previous].filter((s): s is string => typeof s === 'string' && s.length >= 16);
  }
  return t.length >= 16 ? [t] : [];
}
