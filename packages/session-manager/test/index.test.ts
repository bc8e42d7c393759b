import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

describe('public API', () => {
  it('exports the facade, the simple API, configuration and adapters', () => {
    for (const name of [
      'SessionManager',
      'SessionManagerOptionsSchema',
      'trackConversation',
      'trackLlmCall',
      'trackInfiniteConversation',
      'trackToolUse',
      'getSessionStats',
      'getConversationHistory',
      'quickConversation',
      'loadConfigFromEnv',
      'getDefaultStore',
      'configureStorage',
      'getStorageInfo',
      'getCapabilities',
      'getVersion',
      'toOpenAiChatRequest',
      'toAnthropicMessagesRequest',
      'createSessionMiddleware',
      'VmImportance',
      'PAGE_ID_PREFIX_MSG',
      'InMemorySessionStore',
      'InfiniteConversationManager',
      'buildPromptFromSession',
      'MemoryManager',
    ]) {
      expect(api, name).toHaveProperty(name);
    }
    expect(api.DEFAULT_TOKEN_THRESHOLD).toBe(4000);
    expect(api.DEFAULT_MAX_TURNS_PER_SEGMENT).toBe(20);
    expect(api.UNKNOWN_MODEL).toBe('unknown');
    expect(api.UNKNOWN_PROVIDER).toBe('unknown');
  });
});
