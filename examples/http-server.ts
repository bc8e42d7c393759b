/**
 * A small REST server over the facade with node:http (the reference's FastAPI example): sessions,
 * messages, stats, prompts. The example starts it on a free port, calls it with fetch, prints the
 * answers and stops. Run with `--serve` to keep it running.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySessionStore, SessionNotFound, isSessionManagerError } from '@chuk/models';
import { PromptStrategy, buildPromptFromSession } from '@chuk/conversation';
import { SessionManager } from '@chuk/session-manager';

const store = new InMemorySessionStore();

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
}

function send(res: ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(data));
}

async function existing(id: string): Promise<SessionManager> {
  if (!(await store.exists(id))) throw new SessionNotFound({ sessionId: id });
  return new SessionManager({ store, sessionId: id });
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const [, resource, id, sub] = url.pathname.split('/');
  const method = req.method ?? 'GET';
  if (url.pathname === '/health') return send(res, 200, { ok: true, backend: store.backend });
  if (resource !== 'sessions') return send(res, 404, { error: 'not found' });
  if (id === undefined || id === '') {
    if (method === 'POST') {
      const { system_prompt: systemPrompt, metadata } = await body(req);
      const sm = new SessionManager({
        store,
        ...(typeof systemPrompt === 'string' ? { systemPrompt } : {}),
        ...(typeof metadata === 'object' && metadata !== null ? { metadata: metadata as Record<string, unknown> } : {}),
      });
      await sm.ensureInitialized();
      return send(res, 201, { id: sm.sessionId });
    }
    return send(res, 200, await store.list(''));
  }
  if (sub === undefined) {
    if (method === 'DELETE') return send(res, 200, { deleted: await store.delete(id) });
    return send(res, 200, await (await existing(id)).getStats());
  }
  const sm = await existing(id);
  if (sub === 'messages' && method === 'POST') {
    const { role, content, model } = await body(req);
    if (typeof content !== 'string') return send(res, 400, { error: 'content must be a string' });
    const segment = role === 'assistant' ? await sm.aiResponds(content, { model: typeof model === 'string' ? model : 'unknown' }) : await sm.userSays(content);
    return send(res, 201, { session_id: segment });
  }
  if (sub === 'messages') return send(res, 200, await sm.getConversation());
  if (sub === 'prompt') {
    const strategy = url.searchParams.get('strategy') ?? PromptStrategy.Minimal;
    return send(res, 200, await buildPromptFromSession(await sm.getSession(), { strategy }));
  }
  if (sub === 'llm-messages') return send(res, 200, await sm.getMessagesForLlm());
  return send(res, 404, { error: 'not found' });
}

const server = createServer((req, res) => {
  route(req, res).catch((error: unknown) => {
    const status = error instanceof SessionNotFound ? 404 : isSessionManagerError(error) ? 400 : 500;
    send(res, status, { error: error instanceof Error ? error.message : String(error) });
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
console.log(`listening on ${base}`);

if (!process.argv.includes('--serve')) {
  const call = async (method: string, path: string, data?: unknown): Promise<unknown> => {
    const response = await fetch(`${base}${path}`, {
      method,
      ...(data === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) }),
    });
    const json: unknown = await response.json();
    console.log(`${method.padEnd(6)} ${path.padEnd(52)} ${response.status} ${JSON.stringify(json).slice(0, 90)}`);
    return json;
  };
  await call('GET', '/health');
  const { id } = (await call('POST', '/sessions', { system_prompt: 'You are terse.', metadata: { user_id: 'u1' } })) as { id: string };
  await call('POST', `/sessions/${id}/messages`, { role: 'user', content: 'Hello server!' });
  await call('POST', `/sessions/${id}/messages`, { role: 'assistant', content: 'Hello client.', model: 'gpt-4o-mini' });
  await call('GET', `/sessions/${id}/messages`);
  await call('GET', `/sessions/${id}/llm-messages`);
  await call('GET', `/sessions/${id}/prompt?strategy=conversation`);
  await call('GET', `/sessions/${id}`);
  await call('GET', '/sessions/does-not-exist');
  await call('DELETE', `/sessions/${id}`);
  server.close();
}
