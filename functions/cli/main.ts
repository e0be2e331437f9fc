// The `tracelens` command line (SPEC §6). Each verb lives in shared/cli/.
import { analyzeCommand, ANALYZE_USAGE } from '../../shared/cli/analyze.js';
import { foldCommand, FOLD_USAGE } from '../../shared/cli/fold.js';
import { keysCommand, KEYS_USAGE } from '../../shared/cli/keys.js';
import { packCommand, PACK_USAGE } from '../../shared/cli/pack.js';
import { compareCommand, COMPARE_USAGE, reportCommand, REPORT_USAGE } from '../../shared/cli/remote.js';
import { uploadCommand, UPLOAD_USAGE } from '../../shared/cli/upload.js';
import { UsageError, type CliIo } from '../../shared/cli/io.js';
import { loadLimits } from '../../shared/config.js';
import { TraceLensError } from '../../shared/errors.js';

const USAGE = `usage:
  ${ANALYZE_USAGE}
  ${FOLD_USAGE}
  ${UPLOAD_USAGE}
  ${PACK_USAGE}
  ${REPORT_USAGE}
  ${COMPARE_USAGE}
  ${KEYS_USAGE}
`;

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [verb, ...rest] = argv;
  try {
    switch (verb) {
      case 'analyze':
        return await analyzeCommand(rest, io, loadLimits(process.env));
      case 'fold':
        return await foldCommand(rest, io, loadLimits(process.env));
      case 'upload':
        return await uploadCommand(rest, io);
      case 'pack':
        return await packCommand(rest, io);
      case 'report':
        return await reportCommand(rest, io);
      case 'compare':
        return await compareCommand(rest, io);
      case 'keys':
        return await keysCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(USAGE);
        return verb === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${verb}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      io.stderr.write(`tracelens: ${err.message}\n${USAGE}`);
      return 2;
    }
    // Ours, and the system's about the user's paths (ENOENT, EISDIR, EACCES: they carry the syscall).
    if (err instanceof TraceLensError || (err instanceof Error && 'syscall' in err && 'code' in err)) {
      io.stderr.write(`tracelens: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
