import { SessionManagerError, type ErrorOptions } from '@chuk/models';

export const VmErrorCode = {
  VirtualMemoryError: 'VIRTUAL_MEMORY_ERROR',
  PageNotFound: 'PAGE_NOT_FOUND',
  DuplicatePage: 'DUPLICATE_PAGE',
} as const;
export type VmErrorCode = (typeof VmErrorCode)[keyof typeof VmErrorCode];

export interface VirtualMemoryErrorOptions extends ErrorOptions {
  sessionId?: string | null;
  code?: string;
}

/** Base of the VM's errors. */
export class VirtualMemoryError extends SessionManagerError {
  readonly sessionId: string | null;

  constructor(options: VirtualMemoryErrorOptions = {}) {
    super({ ...options, code: options.code ?? VmErrorCode.VirtualMemoryError, message: options.message ?? 'Virtual memory error' });
    this.name = 'VirtualMemoryError';
    this.sessionId = options.sessionId ?? null;
  }
}

export class PageNotFoundError extends VirtualMemoryError {
  readonly pageId: string;

  constructor(options: VirtualMemoryErrorOptions & { pageId: string }) {
    super({ ...options, code: VmErrorCode.PageNotFound, message: options.message ?? `Page not found: ${options.pageId}` });
    this.name = 'PageNotFoundError';
    this.pageId = options.pageId;
  }
}

export class DuplicatePageError extends VirtualMemoryError {
  readonly pageId: string;

  constructor(options: VirtualMemoryErrorOptions & { pageId: string }) {
    super({ ...options, code: VmErrorCode.DuplicatePage, message: options.message ?? `Page already exists: ${options.pageId}` });
    this.name = 'DuplicatePageError';
    this.pageId = options.pageId;
  }
}
