// Runs registry properties with fast-check: bounded in `npm test` (fixed seed, few runs), unbounded
// in `npm run fuzz`.
import fc from 'fast-check';
import { PROPERTIES, type ParserProperty } from './properties.js';

/** The seed of `npm test`: fixed, so a failure there is the same failure on every machine. */
export const TEST_SEED = 0x7ace1e25;
/** Runs per property in `npm test`. */
export const TEST_RUNS = 150;

export function propertiesOf(parser: string): ParserProperty[] {
  const list = PROPERTIES.filter((p) => p.parser === parser);
  if (list.length === 0) throw new Error(`no properties for ${parser}`);
  return list;
}

/** fast-check's check of one property; a failing report carries the counterexample, seed and path. */
export async function check(p: ParserProperty, numRuns: number, seed: number): Promise<fc.RunDetails<unknown>> {
  return fc.check(p.property(), { numRuns, seed, endOnFailure: false }) as Promise<fc.RunDetails<unknown>>;
}

/** fast-check's assert of one property, for node:test. */
export async function assertProperty(p: ParserProperty, numRuns = Math.max(20, Math.ceil(TEST_RUNS * (p.runScale ?? 1))), seed = TEST_SEED): Promise<void> {
  await fc.assert(p.property(), { numRuns, seed });
}
