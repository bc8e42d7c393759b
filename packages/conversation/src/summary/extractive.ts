import type { ChatMessage } from '@chuk/models';
import { MessageRole } from '@chuk/models';

/** A question counts as a topic when the text before its `?` is longer than this. */
const MIN_TOPIC_LENGTH = 10;
/** Topics are cut to this many characters. */
const MAX_TOPIC_LENGTH = 50;
/** Topics named in full before "and N other topics". */
const LISTED_TOPICS = 3;

function topicOf(content: string): string | null {
  const index = content.indexOf('?');
  if (index < 0) return null;
  const topic = content.slice(0, index).trim();
  return topic.length > MIN_TOPIC_LENGTH ? topic.slice(0, MAX_TOPIC_LENGTH) : null;
}

/**
 * Deterministic summary without an LLM (reference `_default_summary`, the facade's default summariser):
 * the user's questions as topics, else message counts.
 */
export function createExtractiveSummary(messages: readonly ChatMessage[]): string {
  const users = messages.filter((m) => m.role === MessageRole.User);
  const topics: string[] = [];
  for (const message of users) {
    const topic = topicOf(message.content);
    if (topic !== null) topics.push(topic);
  }
  if (topics.length > 0) {
    const more = topics.length - LISTED_TOPICS;
    const tail = more > 0 ? ` and ${more} other ${more === 1 ? 'topic' : 'topics'}` : '';
    return `User discussed: ${topics.slice(0, LISTED_TOPICS).join('; ')}${tail}`;
  }
  return `Conversation with ${users.length} user messages and ${messages.length - users.length} responses`;
}
