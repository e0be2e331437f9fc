import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One local service per data directory: LevelDB (under dynalite) allows one opener, and a second one
 * would otherwise die deep inside the emulator. `service.pid` names the owner; a stale file (its
 * process gone) is taken over.
 */
export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `another TraceLens service (pid ${pid}) is using ${dataDir}; stop it first, or set TRACELENS_DATA_DIR to another directory`,
    );
    this.name = 'DataDirInUseError';
  }
}

export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'service.pid');
  let owner: number | undefined;
  try {
    owner = Number(readFileSync(file, 'utf8').trim());
  } catch {
    owner = undefined;
  }
  if (owner && isAlive(owner)) throw new DataDirInUseError(dataDir, owner);
  writeFileSync(file, `${process.pid}\n`);
  return () => rmSync(file, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
