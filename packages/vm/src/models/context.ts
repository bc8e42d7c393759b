import type { PackedContext } from '../context-packer.js';
import type { VmManifest } from '../manifest.js';
import type { VmToolDefinitionJson } from './content.js';

/** What `buildContext` returns (not stored, so camelCase keys). */
export interface VmContext {
  developerMessage: string;
  tools: VmToolDefinitionJson[];
  manifest: VmManifest | null;
  packedContext: PackedContext | null;
}
