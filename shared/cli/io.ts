import type { Readable } from 'node:stream';

/** What a CLI command writes to; main() passes process.stdout/stderr, tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
  /** What `-` reads (`tracelens fold -`); process.stdin when absent. */
  stdin?: Readable;
}

/** Wrong arguments: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
