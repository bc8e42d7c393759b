import { noopLogger } from '@chuk/models';
import type { Logger } from '@chuk/models';

export const defaultClock = (): Date => new Date();
export const defaultIdGenerator = (): string => crypto.randomUUID();
export const defaultRandom = (): number => Math.random();
export const defaultLogger: Logger = noopLogger;

/** Milliseconds since the epoch from an injected clock. */
export const nowMs = (clock: () => Date): number => clock().getTime();
/** ISO-8601 UTC string from an injected clock. */
export const nowIso = (clock: () => Date): string => clock().toISOString();
