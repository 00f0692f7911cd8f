import { describe, expect, it } from 'vitest'
import { ChatKitClient, ChatKitError, isStreamingType, request } from './client'
import { json, scriptedFetch, sse } from './testing'

describe('ChatKitClient', () => {
  it('posts the request envelope to api.url through api.fetch, with JSON and SSE accept headers', async () => {
    const seen: Array<{ url: string; init: RequestInit }> = []
    const client = new ChatKitClient({
      url: '/chatkit/assistant',
      fetch: async (url, init) => {
        seen.push({ url, init })
        return json(200, { data: [], has_more: false })
      },
    })
    await client.listThreads({ limit: 5 })
    expect(seen).toHaveLength(1)
    expect(seen[0]?.url).toBe('/chatkit/assistant')
    expect(seen[0]?.init.method).toBe('POST')
    expect(JSON.parse(String(seen[0]?.init.body))).toEqual({
      type: 'threads.list',
      params: { order: 'desc', limit: 5 },
      metadata: {},
    })
    expect((seen[0]?.init.headers as Record<string, string>)['content-type']).toBe('application/json')
  })

  it('streams the events of a streaming op in order', async () => {
    const { fetch, requests } = scriptedFetch((_req, signal) =>
      sse(
        [
          { type: 'stream_options', stream_options: { allow_cancel: true } },
          { type: 'progress_update', text: 'Working' },
        ],
        signal,
      ),
    )
    const client = new ChatKitClient({ url: '/chatkit', fetch })
    const types: string[] = []
    for await (const event of client.sendMessage('thr_1', { content: [{ type: 'input_text', text: 'hi' }], attachments: [], inference_options: {} })) {
      types.push(event.type)
    }
    expect(types).toEqual(['stream_options', 'progress_update'])
    expect(requests[0]?.type).toBe('threads.add_user_message')
  })

  it('turns the error envelope of a 4xx into a ChatKitError with its code and message', async () => {
    const client = new ChatKitClient({
      url: '/chatkit',
      fetch: async () => json(404, { error: { code: 'thread_not_found', message: 'No such thread.' } }),
    })
    const error = await client.getThread('thr_x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChatKitError)
    expect(error).toMatchObject({ status: 404, code: 'thread_not_found', message: 'No such thread.' })
  })

  it('refuses a streaming reply that is not an event stream', async () => {
    const client = new ChatKitClient({ url: '/chatkit', fetch: async () => json(200, {}) })
    const iterate = async (): Promise<void> => {
      for await (const _ of client.retryAfterItem('thr_1', 'msg_1')) {
        // nothing
      }
    }
    await expect(iterate()).rejects.toMatchObject({ code: 'bad_response' })
  })

  it('reports a network failure as network_error', async () => {
    const client = new ChatKitClient({
      url: '/chatkit',
      fetch: async () => {
        throw new TypeError('Failed to fetch')
      },
    })
    await expect(client.listThreads()).rejects.toMatchObject({ status: 0, code: 'network_error' })
  })

  it('pages through every item of a long thread, oldest first', async () => {
    const item = (n: number) => ({
      type: 'user_message' as const,
      id: `msg_${n}`,
      thread_id: 'thr_1',
      created_at: '2026-11-21T10:00:00Z',
      content: [{ type: 'input_text' as const, text: `m${n}` }],
      attachments: [],
      inference_options: {},
    })
    const { fetch, requests } = scriptedFetch((req) => {
      if (req.type === 'threads.get_by_id') {
        return json(200, {
          id: 'thr_1',
          created_at: '2026-11-21T10:00:00Z',
          status: { type: 'active' },
          metadata: {},
          items: { data: [item(1), item(2)], has_more: true, after: 'msg_2' },
        })
      }
      if (req.type === 'items.list' && req.params.after === 'msg_2') return json(200, { data: [item(3)], has_more: true, after: 'msg_3' })
      return json(200, { data: [item(4)], has_more: false })
    })
    const { items } = await new ChatKitClient({ url: '/chatkit', fetch }).loadThread('thr_1')
    expect(items.map((it) => it.id)).toEqual(['msg_1', 'msg_2', 'msg_3', 'msg_4'])
    expect(requests.slice(1).map((r) => r.type === 'items.list' && r.params)).toEqual([
      { thread_id: 'thr_1', order: 'asc', after: 'msg_2', limit: 50 },
      { thread_id: 'thr_1', order: 'asc', after: 'msg_3', limit: 50 },
    ])
  })

  it('knows which ops stream', () => {
    expect(isStreamingType('threads.create')).toBe(true)
    expect(isStreamingType('threads.retry_after_item')).toBe(true)
    expect(isStreamingType('threads.list')).toBe(false)
    expect(request('items.feedback', { thread_id: 't', item_ids: ['i'], kind: 'negative' })).toEqual({
      type: 'items.feedback',
      params: { thread_id: 't', item_ids: ['i'], kind: 'negative' },
      metadata: {},
    })
  })
})
