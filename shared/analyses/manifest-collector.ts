import type { Manifest } from '../model/manifest.js';
import type { AnalysisResult, InputSummary } from '../model/report.js';
import type { ByteSource } from '../parsers/bytes.js';
import { parseManifest } from '../parsers/manifest.js';
import type { Collector } from './collector.js';

/** manifest.json → the manifest the joins use (clock anchors, the program's binary name). */
export class ManifestCollector implements Collector {
  manifest: Manifest | undefined;

  async consume(body: ByteSource, input: InputSummary): Promise<void> {
    const { manifest, warnings } = await parseManifest(body, { file: input.name });
    if (this.manifest) input.warnings.push('a second manifest: its fields override the first one’s');
    this.manifest = { ...this.manifest, ...manifest };
    input.summary = { ...manifest };
    input.warnings.push(...warnings);
  }

  finish(_result: AnalysisResult): void {}
}
