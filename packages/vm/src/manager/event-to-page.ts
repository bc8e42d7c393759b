import type { MessageRole } from '@chuk/models';
import { DEFAULT_IMPORTANCE, Modality, PAGE_ID_PREFIX_MSG, PageType, StorageTier } from '../enums.js';
import { makePage, type MemoryPage } from '../models/page.js';
import { randomHex8 } from '../util/text.js';

export interface EventToPageArgs {
  message: string;
  role: MessageRole;
  sessionId: string;
  eventId?: string;
  pageType?: PageType;
  importance?: number;
  clock?: () => Date;
}

const EVENT_ID_PREFIX_CHARS = 8;

/** A text page for a session event: id `msg_<first 8 chars of the event id>`, role kept in `metadata.role`. */
export function eventToPage(args: EventToPageArgs): MemoryPage {
  const suffix = args.eventId ? args.eventId.slice(0, EVENT_ID_PREFIX_CHARS) : randomHex8();
  return makePage(
    {
      pageId: `${PAGE_ID_PREFIX_MSG}_${suffix}`,
      sessionId: args.sessionId,
      modality: Modality.Text,
      pageType: args.pageType ?? PageType.Transcript,
      content: args.message,
      storageTier: StorageTier.L1,
      importance: args.importance ?? DEFAULT_IMPORTANCE,
      metadata: { role: args.role, ...(args.eventId ? { event_id: args.eventId } : {}) },
    },
    (args.clock ?? (() => new Date()))(),
  );
}
