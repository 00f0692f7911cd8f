// The protocol client: one POST endpoint (`api.url`), JSON replies for the non-streaming ops and
// server-sent events for the streaming ones (chatkit-protocol.md §1-§3). Every wire type comes from
// the generated `gen/chatkit.ts`; nothing here describes the wire by hand.
import { ApiError, parseErrorEnvelope } from '../api'
import type {
  ChatKitReq,
  FeedbackKind,
  JsonValue,
  Page,
  StreamingReq,
  Thread,
  ThreadItem,
  ThreadStreamEvent,
  UserMessageInput,
} from '../gen/chatkit'
import { readSseData } from './sse'

/** A `fetch` as the host page may supply it (`api.fetch`), e.g. to add headers. */
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>

/** Where and how to reach the server: the official component's `api` option (custom mode). */
export interface ApiConfig {
  /** The protocol endpoint, e.g. `/chatkit/assistant`. */
  url: string
  /** Replaces the browser's `fetch` for every request (to add headers or credentials). */
  fetch?: FetchFn
}

/** A request that failed before or instead of a reply: HTTP error, network failure, bad body. */
export class ChatKitError extends ApiError {
  /** `status` is the HTTP status, or 0 when no response arrived. */
  constructor(status: number, code: string, message: string) {
    super(status, code, message)
    this.name = 'ChatKitError'
  }
}

type ReqType = ChatKitReq['type']
/** The request of one op, e.g. `ReqOf<'threads.list'>`. */
export type ReqOf<T extends ReqType> = Extract<ChatKitReq, { type: T }>
/** The params of one op. */
export type ParamsOf<T extends ReqType> = ReqOf<T>['params']

const STREAMING: ReadonlySet<ReqType> = new Set<StreamingReq['type']>([
  'threads.create',
  'threads.add_user_message',
  'threads.add_client_tool_output',
  'threads.add_structured_input',
  'threads.retry_after_item',
  'threads.custom_action',
])

/** Whether an op answers with a stream of events rather than one JSON document. */
export function isStreamingType(type: ReqType): type is StreamingReq['type'] {
  return STREAMING.has(type)
}

/** Builds a request envelope: `{type, params, metadata: {}}`. */
export function request<T extends ReqType>(type: T, params: ParamsOf<T>): ReqOf<T> {
  return { type, params, metadata: {} } as unknown as ReqOf<T>
}

function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError'
}

/** Talks the ChatKit protocol to one endpoint. */
export class ChatKitClient {
  private readonly api: ApiConfig

  constructor(api: ApiConfig) {
    this.api = api
  }

  /** The endpoint this client talks to. */
  get url(): string {
    return this.api.url
  }

  private async post(body: ChatKitReq, accept: string, signal?: AbortSignal): Promise<Response> {
    const init: RequestInit = {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept },
      body: JSON.stringify(body),
      signal,
    }
    let response: Response
    try {
      response = this.api.fetch ? await this.api.fetch(this.api.url, init) : await fetch(this.api.url, init)
    } catch (err) {
      if (isAbort(err)) throw err
      throw new ChatKitError(0, 'network_error', 'Could not reach the server.')
    }
    if (!response.ok) {
      const text = await response.text().catch(() => '')
      const error = parseErrorEnvelope(response.status, text)
      throw new ChatKitError(error.status, error.code, error.message)
    }
    return response
  }

  /** Sends a non-streaming op and returns its JSON reply. */
  async send<R>(body: ChatKitReq, signal?: AbortSignal): Promise<R> {
    const response = await this.post(body, 'application/json', signal)
    const text = await response.text()
    try {
      return JSON.parse(text) as R
    } catch {
      throw new ChatKitError(response.status, 'bad_response', 'The server did not answer with JSON.')
    }
  }

  /**
   * Sends a streaming op and yields its events until the server ends the reply. Aborting `signal`
   * stops reading and closes the connection, which the server treats as a cancellation.
   */
  async *stream(body: StreamingReq, signal?: AbortSignal): AsyncGenerator<ThreadStreamEvent> {
    const response = await this.post(body, 'text/event-stream', signal)
    const type = response.headers.get('content-type') ?? ''
    if (!type.startsWith('text/event-stream') || !response.body) {
      throw new ChatKitError(response.status, 'bad_response', 'The server did not answer with an event stream.')
    }
    for await (const data of readSseData(response.body)) {
      let event: ThreadStreamEvent
      try {
        event = JSON.parse(data) as ThreadStreamEvent
      } catch {
        throw new ChatKitError(response.status, 'bad_event', 'The server sent an event that is not JSON.')
      }
      yield event
    }
  }

  /** `threads.list`: the newest threads first. */
  listThreads(params: Partial<ParamsOf<'threads.list'>> = {}, signal?: AbortSignal): Promise<Page<Thread>> {
    return this.send(request('threads.list', { order: 'desc', ...params }), signal)
  }

  /** `threads.get_by_id`: the thread with the first page of its items (oldest first). */
  getThread(threadId: string, signal?: AbortSignal): Promise<Thread> {
    return this.send(request('threads.get_by_id', { thread_id: threadId }), signal)
  }

  /** `items.list`. */
  listItems(params: ParamsOf<'items.list'>, signal?: AbortSignal): Promise<Page<ThreadItem>> {
    return this.send(request('items.list', params), signal)
  }

  /**
   * A whole thread: `threads.get_by_id`, then `items.list` (oldest first) from its cursor until
   * the last page, at most `maxPages` more pages.
   */
  async loadThread(threadId: string, signal?: AbortSignal, maxPages = 50): Promise<{ thread: Thread; items: ThreadItem[] }> {
    const thread = await this.getThread(threadId, signal)
    const items = [...thread.items.data]
    let page = thread.items
    for (let i = 0; i < maxPages && page.has_more && page.after; i++) {
      page = await this.listItems({ thread_id: threadId, order: 'asc', after: page.after, limit: 50 }, signal)
      items.push(...page.data)
    }
    return { thread, items }
  }

  /** `threads.update`: renames a thread. */
  renameThread(threadId: string, title: string): Promise<Thread> {
    return this.send(request('threads.update', { thread_id: threadId, title }))
  }

  /** `threads.delete`. */
  async deleteThread(threadId: string): Promise<void> {
    await this.send(request('threads.delete', { thread_id: threadId }))
  }

  /** `items.feedback`. */
  async feedback(threadId: string, itemIds: string[], kind: FeedbackKind): Promise<void> {
    await this.send(request('items.feedback', { thread_id: threadId, item_ids: itemIds, kind }))
  }

  /** `threads.create` or `threads.add_user_message`, streamed. */
  sendMessage(threadId: string | null, input: UserMessageInput, signal?: AbortSignal): AsyncGenerator<ThreadStreamEvent> {
    return threadId
      ? this.stream(request('threads.add_user_message', { thread_id: threadId, input }), signal)
      : this.stream(request('threads.create', { input }), signal)
  }

  /** `threads.retry_after_item`, streamed. */
  retryAfterItem(threadId: string, itemId: string, signal?: AbortSignal): AsyncGenerator<ThreadStreamEvent> {
    return this.stream(request('threads.retry_after_item', { thread_id: threadId, item_id: itemId }), signal)
  }

  /** `threads.add_client_tool_output`, streamed. */
  addClientToolOutput(threadId: string, result: JsonValue, signal?: AbortSignal): AsyncGenerator<ThreadStreamEvent> {
    return this.stream(request('threads.add_client_tool_output', { thread_id: threadId, result }), signal)
  }
}
