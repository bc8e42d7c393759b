import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { STORE_SCHEMA_VERSION, STORE_SESSION_TYPE, headerUserId } from '@chuk/models';
import type { SessionHeader } from '@chuk/models';
import { isConditionFailed, isNotFound } from '../client/errors.js';
import { JSON_CONTENT_TYPE } from '../client/layout.js';
import type { S3Layout } from '../client/layout.js';
import { storageClassParam } from '../client/write-params.js';
import { copyIfEtag, ifAbsent, ifEtag } from './write-conditions.js';

/** User-metadata names (`x-amz-meta-*`) of the header object. */
export const HeaderMeta = {
  Revision: 'revision',
  SchemaVersion: 'schema-version',
  SessionType: 'session-type',
  UserId: 'user-id',
  ExpiresAt: 'expires-at',
  Generation: 'generation',
} as const;

/** What the header object's metadata and ETag say. */
export interface HeaderState {
  /** -1 when the metadata holds no integer revision. */
  revision: number;
  etag: string | undefined;
  metadata: Record<string, string>;
  /** Random id of this incarnation of the session (a recreated session gets a new one). */
  generation: string;
}

/** How a header write is conditioned: create-only, or replace-only the version with this ETag. */
export type HeaderWriteCondition = { absent: true } | { etag: string | undefined };

export function headerState(metadata: Record<string, string>, etag: string | undefined): HeaderState {
  const revision = Number(metadata[HeaderMeta.Revision]);
  return {
    revision: Number.isInteger(revision) ? revision : -1,
    etag,
    metadata,
    generation: metadata[HeaderMeta.Generation] ?? '',
  };
}

/** The header's metadata; the user id is URI-encoded (`x-amz-meta-*` values are ASCII). */
export function headerMetadata(header: SessionHeader, revision: number, generation: string, expiresAt?: string): Record<string, string> {
  const meta: Record<string, string> = {
    [HeaderMeta.Revision]: String(revision),
    [HeaderMeta.SchemaVersion]: STORE_SCHEMA_VERSION,
    [HeaderMeta.SessionType]: STORE_SESSION_TYPE,
    [HeaderMeta.Generation]: generation,
  };
  const userId = headerUserId(header);
  if (userId !== null) meta[HeaderMeta.UserId] = encodeURIComponent(userId);
  if (expiresAt !== undefined) meta[HeaderMeta.ExpiresAt] = expiresAt;
  return meta;
}

export interface HeaderObjectsConfig {
  client: S3Client;
  bucket: string;
  layout: S3Layout;
  conditionalWrites: boolean;
  storageClass: string | undefined;
}

/** Reads and writes `header.json` of a session; conditional writes use `If-None-Match` / `If-Match`. */
export class HeaderObjects {
  constructor(private readonly cfg: HeaderObjectsConfig) {}

  private key(sessionId: string): string {
    return this.cfg.layout.header(sessionId);
  }

  /** HEAD of the header (expired or not); null when missing. */
  async head(sessionId: string): Promise<HeaderState | null> {
    try {
      const head = await this.cfg.client.send(new HeadObjectCommand({ Bucket: this.cfg.bucket, Key: this.key(sessionId) }));
      return headerState(head.Metadata ?? {}, head.ETag);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /**
   * GET of the header: its state and body text; the body is not read (`text` null) when `skipBody`
   * says so for that state. Null when missing.
   */
  async read(sessionId: string, skipBody: (state: HeaderState) => boolean): Promise<{ state: HeaderState; text: string | null } | null> {
    try {
      const response = await this.cfg.client.send(new GetObjectCommand({ Bucket: this.cfg.bucket, Key: this.key(sessionId) }));
      const state = headerState(response.Metadata ?? {}, response.ETag);
      if (skipBody(state)) return { state, text: null };
      const text = response.Body === undefined ? '' : await response.Body.transformToString('utf-8');
      return { state, text };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** PUT of the header; a lost condition throws the SDK's error (check it with `isConditionFailed`). */
  async put(sessionId: string, body: string, metadata: Record<string, string>, condition: HeaderWriteCondition): Promise<void> {
    const enabled = this.cfg.conditionalWrites;
    await this.cfg.client.send(
      new PutObjectCommand({
        Bucket: this.cfg.bucket,
        Key: this.key(sessionId),
        Body: body,
        ContentType: JSON_CONTENT_TYPE,
        Metadata: metadata,
        ...storageClassParam(this.cfg.storageClass),
        ...('absent' in condition ? ifAbsent(enabled) : ifEtag(enabled, condition.etag)),
      }),
    );
  }

  /**
   * Rewrites the header's metadata with `expiresAt` (conditional on its ETag). False on a lost
   * race: another write replaced the header just now, and every header write sets a fresh expiry too.
   */
  async setExpiry(sessionId: string, state: HeaderState, expiresAt: string): Promise<boolean> {
    const key = this.key(sessionId);
    try {
      await this.cfg.client.send(
        new CopyObjectCommand({
          Bucket: this.cfg.bucket,
          Key: key,
          CopySource: `${this.cfg.bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
          MetadataDirective: 'REPLACE',
          ContentType: JSON_CONTENT_TYPE,
          Metadata: { ...state.metadata, [HeaderMeta.ExpiresAt]: expiresAt },
          ...storageClassParam(this.cfg.storageClass),
          ...copyIfEtag(this.cfg.conditionalWrites, state.etag),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
  }

  async delete(sessionId: string): Promise<void> {
    await this.cfg.client.send(new DeleteObjectCommand({ Bucket: this.cfg.bucket, Key: this.key(sessionId) }));
  }
}
