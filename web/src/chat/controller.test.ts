import { describe, expect, it, vi } from 'vitest'
import type { ChatKitReq, Thread, ThreadItem, ThreadStreamEvent } from '../gen/chatkit'
import { ChatController } from './controller'
import { json, scriptedFetch, sse } from './testing'

const T = 'thr_1'
const at = '2026-11-21T10:00:00Z'
const thread = (title?: string): Thread => ({
  id: T,
  created_at: at,
  status: { type: 'active' },
  metadata: {},
  items: { data: [], has_more: false },
  ...(title ? { title } : {}),
})
const user = (id: string, text: string): ThreadItem => ({
  type: 'user_message',
  id,
  thread_id: T,
  created_at: at,
  content: [{ type: 'input_text', text }],
  attachments: [],
  inference_options: {},
})
const reply = (id: string, text: string): ThreadStreamEvent[] => [
  { type: 'stream_options', stream_options: { allow_cancel: true } },
  { type: 'thread.item.added', item: { type: 'assistant_message', id, thread_id: T, created_at: at, content: [] } },
  { type: 'thread.item.updated', item_id: id, update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: text } },
  { type: 'thread.item.done', item: { type: 'assistant_message', id, thread_id: T, created_at: at, content: [{ type: 'output_text', text, annotations: [] }] } },
]
const texts = (c: ChatController): string[] =>
  c.getSnapshot().chat.items.map((it) =>
    it.type === 'assistant_message' ? `A:${it.content.map((p) => p.text).join('')}` : it.type === 'user_message' ? `U:${it.content.map((p) => p.text).join('')}` : `${it.type}:${'status' in it ? it.status : ''}`,
  )

/** A server: threads.list answers empty; everything else by `stream`. */
function server(stream: (req: ChatKitReq, signal: AbortSignal | null) => Response) {
  return scriptedFetch((req, signal) => (req.type === 'threads.list' ? json(200, { data: [], has_more: false }) : stream(req, signal)))
}

describe('ChatController', () => {
  it('creates a thread with the first message and lists it in the history with its title', async () => {
    const { fetch, requests } = server(() =>
      sse([
        { type: 'thread.created', thread: thread() },
        { type: 'thread.item.done', item: user('u1', 'hello') },
        ...reply('a1', 'Simulated reply to: hello'),
        { type: 'thread.updated', thread: thread('hello') },
      ]),
    )
    const events: string[] = []
    const c = new ChatController({ api: { url: '/chatkit', fetch } }, (name) => events.push(name))
    await c.sendUserMessage({ text: 'hello' })
    expect(requests.map((r) => r.type)).toEqual(['threads.create'])
    expect(texts(c)).toEqual(['U:hello', 'A:Simulated reply to: hello'])
    expect(c.getSnapshot().history.threads.map((t) => [t.id, t.title])).toEqual([[T, 'hello']])
    expect(c.getSnapshot().chat.responding).toBe(false)
    expect(events).toEqual(['chatkit.response.start', 'chatkit.thread.change', 'chatkit.response.end'])
  })

  it('answers a client tool call with the page handler, marks it completed and resumes the reply', async () => {
    const call: ThreadItem = {
      type: 'client_tool_call',
      id: 'tc1',
      thread_id: T,
      created_at: at,
      status: 'pending',
      call_id: 'call_1',
      name: 'get_page_info',
      arguments: { detail: 'short' },
    }
    const { fetch, requests } = server((req) =>
      req.type === 'threads.create'
        ? sse([{ type: 'thread.created', thread: thread() }, { type: 'thread.item.done', item: user('u1', 'page?') }, { type: 'thread.item.done', item: call }])
        : sse(reply('a1', 'The tool get_page_info returned: {"title":"Docs"}')),
    )
    const onClientTool = vi.fn(() => ({ title: 'Docs' }))
    const c = new ChatController({ api: { url: '/chatkit', fetch }, onClientTool })
    await c.sendUserMessage({ text: 'page?' })
    expect(onClientTool).toHaveBeenCalledWith({ name: 'get_page_info', params: { detail: 'short' } })
    expect(requests.map((r) => r.type)).toEqual(['threads.create', 'threads.add_client_tool_output'])
    expect(requests[1]).toMatchObject({ params: { thread_id: T, result: { title: 'Docs' } } })
    expect(texts(c)).toEqual(['U:page?', 'client_tool_call:completed', 'A:The tool get_page_info returned: {"title":"Docs"}'])
  })

  it('answers {error} when no handler exists, so the reply still resumes', async () => {
    const call: ThreadItem = { type: 'client_tool_call', id: 'tc1', thread_id: T, created_at: at, status: 'pending', call_id: 'c', name: 'nope', arguments: {} }
    const { fetch, requests } = server((req) =>
      req.type === 'threads.create' ? sse([{ type: 'thread.created', thread: thread() }, { type: 'thread.item.done', item: call }]) : sse(reply('a1', 'ok')),
    )
    const c = new ChatController({ api: { url: '/chatkit', fetch } })
    await c.sendUserMessage({ text: 'x' })
    expect(requests[1]).toMatchObject({
      type: 'threads.add_client_tool_output',
      params: { result: { error: 'This page has no handler for the tool "nope".' } },
    })
  })

  it('retries after the last user message and drops the later items before the new reply arrives', async () => {
    let seenDuringRetry: string[] = []
    const { fetch, requests } = server((req) => {
      if (req.type === 'threads.create') {
        return sse([
          { type: 'thread.created', thread: thread() },
          { type: 'thread.item.done', item: user('u1', 'q') },
          ...reply('a1', 'first answer'),
          { type: 'error', code: 'custom', message: 'Broke.', allow_retry: true },
        ])
      }
      seenDuringRetry = texts(c)
      return sse(reply('a2', 'second answer'))
    })
    const c = new ChatController({ api: { url: '/chatkit', fetch } })
    await c.sendUserMessage({ text: 'q' })
    expect(c.getSnapshot().chat.error?.message).toBe('Broke.')
    await c.retry()
    expect(requests[1]).toEqual({ type: 'threads.retry_after_item', params: { thread_id: T, item_id: 'u1' }, metadata: {} })
    expect(seenDuringRetry).toEqual(['U:q'])
    expect(texts(c)).toEqual(['U:q', 'A:second answer'])
    expect(c.getSnapshot().chat.error).toBeNull()
  })

  it('stops a reply by aborting its request, keeping the partial text and showing no error', async () => {
    const { fetch, signals } = server((_req, signal) =>
      sse(
        [
          { type: 'thread.created', thread: thread() },
          { type: 'thread.item.done', item: user('u1', 'long') },
          { type: 'thread.item.added', item: { type: 'assistant_message', id: 'a1', thread_id: T, created_at: at, content: [] } },
          { type: 'thread.item.updated', item_id: 'a1', update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: 'partial ' } },
        ],
        signal,
        true,
      ),
    )
    const c = new ChatController({ api: { url: '/chatkit', fetch } })
    const sending = c.sendUserMessage({ text: 'long' })
    await vi.waitFor(() => expect(texts(c)).toEqual(['U:long', 'A:partial ']))
    expect(c.getSnapshot().chat.responding).toBe(true)
    c.stop()
    await sending
    expect(signals[0]?.aborted).toBe(true)
    expect(c.getSnapshot().chat.responding).toBe(false)
    expect(c.getSnapshot().chat.error).toBeNull()
    expect(texts(c)).toEqual(['U:long', 'A:partial '])
  })

  it('shows a refusal before the stream (429) with a retry that sends the message again', async () => {
    let calls = 0
    const { fetch, requests } = server(() => {
      calls += 1
      if (calls === 1) return json(429, { error: { code: 'rate_limited', message: 'Slow down.' } })
      return sse([{ type: 'thread.created', thread: thread() }, { type: 'thread.item.done', item: user('u1', 'hi') }, ...reply('a1', 'ok')])
    })
    const c = new ChatController({ api: { url: '/chatkit', fetch } })
    await c.sendUserMessage({ text: 'hi' })
    expect(c.getSnapshot().chat.error).toEqual({ code: 'rate_limited', message: 'Slow down.', allowRetry: true })
    await c.retry()
    expect(requests.filter((r) => r.type === 'threads.create')).toHaveLength(2)
    expect(texts(c)).toEqual(['U:hi', 'A:ok'])
  })

  it('renames and deletes threads, and closes the open thread when it is deleted', async () => {
    const { fetch, requests } = scriptedFetch((req) => {
      switch (req.type) {
        case 'threads.list':
          return json(200, { data: [thread('Old')], has_more: false })
        case 'threads.get_by_id':
          return json(200, { ...thread('Old'), items: { data: [user('u1', 'x')], has_more: false } })
        case 'threads.update':
          return json(200, thread(req.params.title))
        default:
          return json(200, {})
      }
    })
    const c = new ChatController({ api: { url: '/chatkit', fetch } })
    await c.refreshHistory()
    await c.openThread(T)
    await c.renameThread(T, '  New name ')
    expect(c.getSnapshot().history.threads.map((t) => t.title)).toEqual(['New name'])
    expect(c.getSnapshot().chat.thread?.title).toBe('New name')
    await c.deleteThread(T)
    expect(requests.map((r) => r.type)).toEqual(['threads.list', 'threads.get_by_id', 'threads.update', 'threads.delete'])
    expect(c.getSnapshot().history.threads).toEqual([])
    expect(c.getSnapshot().chat.thread).toBeNull()
    expect(c.getSnapshot().chat.items).toEqual([])
  })

  it('sends feedback for one item and remembers it', async () => {
    const { fetch, requests } = scriptedFetch((req) =>
      req.type === 'threads.get_by_id' ? json(200, { ...thread(), items: { data: [user('u1', 'x')], has_more: false } }) : json(200, { data: [], has_more: false }),
    )
    const c = new ChatController({ api: { url: '/chatkit', fetch } })
    await c.openThread(T)
    await c.feedback('a1', 'negative')
    expect(requests.at(-1)).toEqual({ type: 'items.feedback', params: { thread_id: T, item_ids: ['a1'], kind: 'negative' }, metadata: {} })
    expect(c.getSnapshot().chat.feedback).toEqual({ a1: 'negative' })
  })

  it('reports client effects as chatkit.effect events', async () => {
    const { fetch } = server(() =>
      sse([{ type: 'thread.created', thread: thread() }, { type: 'client_effect', name: 'confetti', data: { count: 3 } }]),
    )
    const events: Array<[string, Record<string, unknown>]> = []
    const c = new ChatController({ api: { url: '/chatkit', fetch } }, (name, detail) => events.push([name, detail]))
    await c.sendUserMessage({ text: 'party' })
    expect(events).toContainEqual(['chatkit.effect', { name: 'confetti', data: { count: 3 } }])
  })

  it('pages through the history with its cursor', async () => {
    const page1 = { data: [{ ...thread('One'), id: 'thr_a' }, { ...thread('Two'), id: 'thr_b' }], has_more: true, after: 'thr_b' }
    const page2 = { data: [{ ...thread('Three'), id: 'thr_c' }], has_more: false }
    const { fetch, requests } = scriptedFetch((req) => json(200, req.type === 'threads.list' && req.params.after === 'thr_b' ? page2 : page1))
    const c = new ChatController({ api: { url: '/chatkit', fetch } })
    await c.refreshHistory()
    expect(c.getSnapshot().history.hasMore).toBe(true)
    await c.loadMoreHistory()
    expect(c.getSnapshot().history.threads.map((t) => t.title)).toEqual(['One', 'Two', 'Three'])
    expect(c.getSnapshot().history.hasMore).toBe(false)
    expect(requests.map((r) => r.type === 'threads.list' && r.params)).toEqual([
      { order: 'desc', limit: 30 },
      { order: 'desc', limit: 30, after: 'thr_b' },
    ])
  })
})
