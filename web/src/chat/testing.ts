// Test helpers: a scripted stand-in for `fetch` that answers protocol requests with JSON or SSE.
import type { ChatKitReq, ThreadStreamEvent } from '../gen/chatkit'
import type { FetchFn } from './client'

/** An SSE response carrying `events`; with `hold`, the body stays open until the request is aborted. */
export function sse(events: ThreadStreamEvent[], signal?: AbortSignal | null, hold = false): Response {
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const event of events) controller.enqueue(encoder.encode(`data: ${JSON.stringify(event)}\n\n`))
      if (!hold) {
        controller.close()
        return
      }
      signal?.addEventListener('abort', () => controller.error(new DOMException('The operation was aborted.', 'AbortError')))
    },
  })
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } })
}

/** A JSON response. */
export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

/** A fetch that records each request body and answers with `respond`. */
export function scriptedFetch(respond: (req: ChatKitReq, signal: AbortSignal | null) => Response | Promise<Response>): {
  fetch: FetchFn
  requests: ChatKitReq[]
  signals: Array<AbortSignal | null>
} {
  const requests: ChatKitReq[] = []
  const signals: Array<AbortSignal | null> = []
  const fetch: FetchFn = async (_url, init) => {
    const req = JSON.parse(String(init.body)) as ChatKitReq
    requests.push(req)
    signals.push(init.signal ?? null)
    return respond(req, init.signal ?? null)
  }
  return { fetch, requests, signals }
}
