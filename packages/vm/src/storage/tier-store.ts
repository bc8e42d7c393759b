import { z } from 'zod';
import { InMemoryBlobStore, InvalidInput, StorageError, noopLogger, type BlobStore, type Logger } from '@chuk/models';
import {
  CompressionLevelSchema,
  MEMORY_PAGE_MIME_TYPE,
  ModalitySchema,
  StorageTier,
  StorageTierSchema,
  VM_CHECKPOINT_MIME_TYPE,
  VM_STATE_MIME_TYPE,
  isPersistentTier,
} from '../enums.js';
import { pageFromJSON, pageToJSON, type MemoryPage } from '../models/page.js';
import type { StorageStats } from '../models/stats.js';
import { randomId } from '../util/text.js';

export const CHECKPOINT_SCHEMA_VERSION = 1;

export const CheckpointEntrySchema = z.object({
  page_id: z.string(),
  artifact_id: z.string(),
  modality: ModalitySchema,
  tier: StorageTierSchema.optional(),
  compression_level: CompressionLevelSchema.optional(),
});
export const CheckpointManifestSchema = z.object({
  schema_version: z.number().int().positive().optional(),
  name: z.string(),
  created_at: z.string(),
  page_count: z.number().int().nonnegative(),
  pages: z.array(CheckpointEntrySchema),
  state_key: z.string().optional(),
});
export type CheckpointManifest = z.infer<typeof CheckpointManifestSchema>;

/** VM-specific storage of pages (tiers L3/L4) and checkpoints. */
export interface TierStore {
  readonly isPersistent: boolean;
  storePage(page: MemoryPage, tier: StorageTier): Promise<string>;
  loadPage(artifactId: string): Promise<MemoryPage | null>;
  deletePage(artifactId: string): Promise<boolean>;
  /** Pages already at L3/L4 with an artifact id are referenced, not copied. `state` is stored beside the manifest. */
  storeCheckpoint(pages: readonly MemoryPage[], name: string, state?: object): Promise<string>;
  loadCheckpoint(checkpointId: string): Promise<MemoryPage[]>;
  loadCheckpointManifest(checkpointId: string): Promise<CheckpointManifest | null>;
  /** The state blob of a checkpoint (raw JSON), or null. */
  loadCheckpointState(checkpointId: string): Promise<unknown>;
  listCheckpoints(): Promise<string[]>;
  /** Re-scope new writes to another session (after a segment rollover). */
  setSessionId(sessionId: string): void;
  getStats(): Promise<StorageStats>;
}

export interface BlobTierStoreOptions {
  sessionId: string;
  l3: BlobStore;
  /** Defaults to `l3`. */
  l4?: BlobStore;
  keyPrefix?: string;
  persistent?: boolean;
  idGenerator?: () => string;
  clock?: () => Date;
  logger?: Logger;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const ARTIFACT_SEPARATOR = ':';
const BACKEND = 'tier-store';

function seg(s: string): string {
  return encodeURIComponent(s).replace(/\./g, '%2E');
}

/** `TierStore` over one or two `BlobStore`s. Artifact ids are `"<tier>:<blob key>"`, valid across restarts. */
export class BlobTierStore implements TierStore {
  readonly isPersistent: boolean;
  private sessionId: string;
  private readonly l3: BlobStore;
  private readonly l4: BlobStore;
  private readonly prefix: string;
  private readonly idGenerator: () => string;
  private readonly clock: () => Date;
  private readonly logger: Logger;

  constructor(opts: BlobTierStoreOptions) {
    this.sessionId = opts.sessionId;
    this.l3 = opts.l3;
    this.l4 = opts.l4 ?? opts.l3;
    this.prefix = opts.keyPrefix ?? 'vm';
    this.isPersistent = opts.persistent ?? !(opts.l3 instanceof InMemoryBlobStore);
    this.idGenerator = opts.idGenerator ?? randomId;
    this.clock = opts.clock ?? (() => new Date());
    this.logger = opts.logger ?? noopLogger;
  }

  setSessionId(sessionId: string): void {
    this.sessionId = sessionId;
  }

  async storePage(page: MemoryPage, tier: StorageTier): Promise<string> {
    const target = isPersistentTier(tier) ? tier : StorageTier.L3;
    const key = `${this.prefix}/${seg(this.sessionId)}/pages/${target}/${seg(page.pageId)}/${seg(this.idGenerator())}.json`;
    const body = { ...pageToJSON(page), storage_tier: target };
    await this.wrap('storePage', () =>
      this.store(target).put(key, encoder.encode(JSON.stringify(body)), {
        contentType: MEMORY_PAGE_MIME_TYPE,
        metadata: {
          'page-id': page.pageId,
          modality: page.modality,
          'compression-level': String(page.compressionLevel),
          tier: target,
          'session-id': this.sessionId,
          version: String(page.version),
        },
      }),
    );
    return `${target}${ARTIFACT_SEPARATOR}${key}`;
  }

  async loadPage(artifactId: string): Promise<MemoryPage | null> {
    const ref = this.parseArtifactId(artifactId);
    if (!ref) return null;
    const bytes = await this.wrap('loadPage', () => this.store(ref.tier).get(ref.key));
    if (!bytes) return null;
    try {
      return pageFromJSON(JSON.parse(decoder.decode(bytes)));
    } catch (err) {
      this.logger.warn({ artifactId, err }, 'corrupt page blob');
      return null;
    }
  }

  async deletePage(artifactId: string): Promise<boolean> {
    const ref = this.parseArtifactId(artifactId);
    if (!ref) return false;
    return this.wrap('deletePage', () => this.store(ref.tier).delete(ref.key));
  }

  async storeCheckpoint(pages: readonly MemoryPage[], name: string, state?: object): Promise<string> {
    const base = `${this.prefix}/${seg(this.sessionId)}/checkpoints/${seg(this.idGenerator())}`;
    const entries: CheckpointManifest['pages'] = [];
    for (const page of pages) {
      const artifactId =
        page.artifactId && isPersistentTier(page.storageTier) ? page.artifactId : await this.storePage(page, StorageTier.L3);
      entries.push({ page_id: page.pageId, artifact_id: artifactId, modality: page.modality, tier: page.storageTier, compression_level: page.compressionLevel });
    }
    const manifest: CheckpointManifest = {
      schema_version: CHECKPOINT_SCHEMA_VERSION,
      name,
      created_at: this.clock().toISOString(),
      page_count: entries.length,
      pages: entries,
    };
    if (state !== undefined) {
      manifest.state_key = `${base}.state.json`;
      await this.wrap('storeCheckpoint', () =>
        this.l3.put(manifest.state_key as string, encoder.encode(JSON.stringify(state)), { contentType: VM_STATE_MIME_TYPE }),
      );
    }
    const key = `${base}.json`;
    await this.wrap('storeCheckpoint', () =>
      this.l3.put(key, encoder.encode(JSON.stringify(manifest)), {
        contentType: VM_CHECKPOINT_MIME_TYPE,
        metadata: { 'checkpoint-name': name, 'page-count': String(entries.length), 'session-id': this.sessionId },
      }),
    );
    return key;
  }

  /** Missing checkpoint → null; a corrupt or newer-than-known manifest → `StorageError`. */
  async loadCheckpointManifest(checkpointId: string): Promise<CheckpointManifest | null> {
    const bytes = await this.wrap('loadCheckpoint', () => this.l3.get(checkpointId));
    if (!bytes) return null;
    let parsed: CheckpointManifest;
    try {
      parsed = CheckpointManifestSchema.parse(JSON.parse(decoder.decode(bytes)));
    } catch (cause) {
      throw new StorageError({ operation: 'loadCheckpoint', backend: BACKEND, cause });
    }
    if ((parsed.schema_version ?? 1) > CHECKPOINT_SCHEMA_VERSION) {
      throw new StorageError({ operation: 'loadCheckpoint', backend: BACKEND, message: `Unsupported checkpoint schema_version ${parsed.schema_version ?? 1}` });
    }
    return parsed;
  }

  async loadCheckpoint(checkpointId: string): Promise<MemoryPage[]> {
    const manifest = await this.loadCheckpointManifest(checkpointId);
    if (!manifest) return [];
    const pages: MemoryPage[] = [];
    for (const e of manifest.pages) {
      const page = await this.loadPage(e.artifact_id);
      if (page) pages.push(page);
    }
    return pages;
  }

  async loadCheckpointState(checkpointId: string): Promise<unknown> {
    const manifest = await this.loadCheckpointManifest(checkpointId);
    if (!manifest?.state_key) return null;
    const key = manifest.state_key;
    const bytes = await this.wrap('loadCheckpoint', () => this.l3.get(key));
    if (!bytes) return null;
    try {
      return JSON.parse(decoder.decode(bytes)) as unknown;
    } catch (cause) {
      throw new StorageError({ operation: 'loadCheckpoint', backend: BACKEND, cause });
    }
  }

  async listCheckpoints(): Promise<string[]> {
    const prefix = `${this.prefix}/${seg(this.sessionId)}/checkpoints/`;
    const keys = await this.wrap('listCheckpoints', () => this.l3.list(prefix));
    return keys.filter((k) => k.endsWith('.json') && !k.endsWith('.state.json')).sort();
  }

  async getStats(): Promise<StorageStats> {
    const keys = await this.wrap('getStats', () => this.l3.list(`${this.prefix}/`));
    let count = keys.length;
    if (this.l4 !== this.l3) count += (await this.wrap('getStats', () => this.l4.list(`${this.prefix}/`))).length;
    return { backend: this.l4 === this.l3 ? this.l3.backend : `${this.l3.backend}+${this.l4.backend}`, persistent: this.isPersistent, sessionId: this.sessionId, pagesStored: count };
  }

  private store(tier: StorageTier): BlobStore {
    return tier === StorageTier.L4 ? this.l4 : this.l3;
  }

  private parseArtifactId(artifactId: string): { tier: StorageTier; key: string } | null {
    const i = artifactId.indexOf(ARTIFACT_SEPARATOR);
    const tier = artifactId.slice(0, i);
    if (i < 0 || (tier !== StorageTier.L3 && tier !== StorageTier.L4)) return null;
    return { tier, key: artifactId.slice(i + 1) };
  }

  private async wrap<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      if (cause instanceof StorageError) throw cause;
      if (cause instanceof InvalidInput) throw cause;
      throw new StorageError({ operation, backend: BACKEND, cause });
    }
  }
}

/** A `BlobTierStore` over a fresh `InMemoryBlobStore` (not persistent). */
export function createInMemoryTierStore(sessionId: string, opts: Omit<BlobTierStoreOptions, 'sessionId' | 'l3'> = {}): BlobTierStore {
  return new BlobTierStore({ ...opts, sessionId, l3: new InMemoryBlobStore(), persistent: false });
}
