import { z } from 'zod';
import { parseInput } from '@chuk/models';
import type { Logger } from '@chuk/models';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';

/** Smallest part S3 accepts (except the last one). */
export const MIN_PART_SIZE_BYTES = 5 * 1024 * 1024;
/** Default size above which `put` switches to a multipart upload. */
export const DEFAULT_MULTIPART_THRESHOLD_BYTES = 16 * 1024 * 1024;
/** Default multipart part size. */
export const DEFAULT_PART_SIZE_BYTES = 8 * 1024 * 1024;
/** Default tries of a conditional write that loses races (spec §14.3 step 6: 5). */
export const DEFAULT_MAX_CONDITIONAL_ATTEMPTS = 5;
/** Default concurrent requests when a session's event objects or a blob's parts are transferred. */
export const DEFAULT_CONCURRENCY = 8;

export const S3StoreOptionsSchema = z.object({
  bucket: z.string().min(1).describe('bucket name (must exist)'),
  prefix: z.string().default('chuk/').describe("key prefix, should end with '/'"),
  region: z.string().min(1).optional().describe('AWS region (merged into clientConfig)'),
  endpoint: z.string().min(1).optional().describe('S3-compatible endpoint URL (merged into clientConfig)'),
  forcePathStyle: z.boolean().optional().describe('path-style URLs, needed by most S3-compatible servers'),
  ttlSeconds: z.number().int().positive().nullable().default(null).describe('sliding expiry of sessions; null = never'),
  conditionalWrites: z
    .boolean()
    .default(true)
    .describe('send If-Match / If-None-Match (set false for servers that ignore them)'),
  storageClass: z.string().min(1).optional().describe('e.g. STANDARD_IA or GLACIER_IR for the L4 cold tier'),
  concurrency: z.number().int().positive().default(DEFAULT_CONCURRENCY).describe('parallel GETs/part uploads'),
  maxConditionalAttempts: z
    .number()
    .int()
    .positive()
    .default(DEFAULT_MAX_CONDITIONAL_ATTEMPTS)
    .describe('tries of a conditional write that keeps losing to other writers before StorageError'),
});
export type S3StoreOptions = z.input<typeof S3StoreOptionsSchema>;
export type ResolvedS3StoreOptions = z.output<typeof S3StoreOptionsSchema>;

export const S3BlobStoreOptionsSchema = S3StoreOptionsSchema.omit({ ttlSeconds: true, conditionalWrites: true, maxConditionalAttempts: true }).extend({
  multipartThresholdBytes: z
    .number()
    .int()
    .positive()
    .default(DEFAULT_MULTIPART_THRESHOLD_BYTES)
    .describe('blobs larger than this are sent as a multipart upload'),
  partSizeBytes: z
    .number()
    .int()
    .min(MIN_PART_SIZE_BYTES)
    .default(DEFAULT_PART_SIZE_BYTES)
    .describe('multipart part size (S3 minimum 5 MiB)'),
});
export type S3BlobStoreOptions = z.input<typeof S3BlobStoreOptionsSchema>;
export type ResolvedS3BlobStoreOptions = z.output<typeof S3BlobStoreOptionsSchema>;

/** Options that are objects or functions, not data. */
export interface S3Injectables {
  /** A client you own: the store uses it and never destroys it. */
  client?: S3Client;
  /** Config for the client the store creates (and destroys on close). */
  clientConfig?: S3ClientConfig;
  logger?: Logger;
  clock?: () => Date;
}

export function resolveS3StoreOptions(options: S3StoreOptions): ResolvedS3StoreOptions {
  return parseInput(S3StoreOptionsSchema, options, 'options');
}

export function resolveS3BlobOptions(options: S3BlobStoreOptions): ResolvedS3BlobStoreOptions {
  return parseInput(S3BlobStoreOptionsSchema, options, 'options');
}
