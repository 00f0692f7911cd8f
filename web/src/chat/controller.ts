// The chat controller: owns the chat state and the thread history, runs every request (streams
// with an AbortController so Stop closes the connection, which the server turns into a
// cancellation), answers client tool calls with the page's handlers, and tells the page what
// happened through `onEvent` (the element turns these into `chatkit.*` DOM events). Framework-free:
// React subscribes with `useSyncExternalStore`.
import type {
  ClientToolCallItem,
  FeedbackKind,
  JsonValue,
  StructuredInputSubmission,
  Thread,
  ThreadStreamEvent,
  UserMessageContent,
  UserMessageInput,
} from '../gen/chatkit'
import { ChatKitClient, ChatKitError, request } from './client'
import type { ChatKitRsOptions } from './options'
import { chatReducer, initialChatState, retryTarget, type ChatAction, type ChatError, type ChatState, type ThreadInfo } from './state'

/** The thread history panel's state. */
export interface HistoryState {
  threads: ThreadInfo[]
  loading: boolean
  loaded: boolean
  hasMore: boolean
  after?: string
  error: string | null
}

/** What the view renders. */
export interface ChatSnapshot {
  chat: ChatState
  history: HistoryState
}

/** Names of the events the controller reports (the official component's `chatkit.*` events). */
export type ChatEventName =
  | 'chatkit.ready'
  | 'chatkit.response.start'
  | 'chatkit.response.end'
  | 'chatkit.thread.change'
  | 'chatkit.thread.load.start'
  | 'chatkit.thread.load.end'
  | 'chatkit.error'
  | 'chatkit.effect'
  | 'chatkit.log'

/** Receives the controller's events. */
export type ChatEventSink = (name: ChatEventName, detail: Record<string, unknown>) => void

/** A message as `sendUserMessage` takes it. */
export interface OutgoingMessage {
  text?: string
  content?: UserMessageContent[]
  newThread?: boolean
  model?: string
}

const initialHistory: HistoryState = { threads: [], loading: false, loaded: false, hasMore: false, error: null }

function threadInfo(thread: Thread): ThreadInfo {
  return { id: thread.id, title: thread.title, status: thread.status, created_at: thread.created_at }
}

function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError'
}

/** The error a failed request shows. */
export function toChatError(err: unknown): ChatError {
  if (err instanceof ChatKitError) {
    // 4xx for a bad request cannot be fixed by trying again; rate limits and server errors can.
    const allowRetry = err.status === 0 || err.status === 429 || err.status >= 500
    return { code: err.code, message: err.message, allowRetry }
  }
  return { code: 'client_error', message: err instanceof Error ? err.message : String(err), allowRetry: true }
}

/** JSON of whatever a handler returned (`undefined` becomes `null`). */
function toJson(value: unknown): JsonValue {
  if (value === undefined) return null
  return JSON.parse(JSON.stringify(value)) as JsonValue
}

/** Runs one chat. */
export class ChatController {
  private options: ChatKitRsOptions
  private client: ChatKitClient
  private state: ChatState = initialChatState
  private history: HistoryState = initialHistory
  private snapshot: ChatSnapshot = { chat: this.state, history: this.history }
  private readonly listeners = new Set<() => void>()
  private streamAbort: AbortController | null = null
  private loadAbort: AbortController | null = null
  private lastInput: UserMessageInput | null = null
  private onEvent: ChatEventSink

  constructor(options: ChatKitRsOptions, onEvent: ChatEventSink = () => undefined) {
    this.options = options
    this.client = new ChatKitClient(options.api)
    this.onEvent = onEvent
  }

  /** Starts: loads the history and the initial thread. */
  start(): void {
    if (this.historyEnabled) void this.refreshHistory()
    if (this.options.initialThread) void this.openThread(this.options.initialThread)
    this.onEvent('chatkit.ready', {})
  }

  /** Stops everything in flight. */
  destroy(): void {
    this.streamAbort?.abort()
    this.loadAbort?.abort()
    this.listeners.clear()
  }

  /** New options; a new endpoint starts over. */
  setOptions(options: ChatKitRsOptions): void {
    const endpointChanged = options.api.url !== this.options.api.url || options.api.fetch !== this.options.api.fetch
    this.options = options
    if (endpointChanged) {
      this.client = new ChatKitClient(options.api)
      this.streamAbort?.abort()
      this.loadAbort?.abort()
      this.dispatch({ type: 'reset' })
      this.setHistory(initialHistory)
      this.start()
    } else {
      this.notify()
    }
  }

  /** The options in force. */
  getOptions(): ChatKitRsOptions {
    return this.options
  }

  private get historyEnabled(): boolean {
    return this.options.history?.enabled !== false
  }

  // --- the store ---

  /** `useSyncExternalStore`'s subscribe. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** `useSyncExternalStore`'s getSnapshot. */
  getSnapshot = (): ChatSnapshot => this.snapshot

  private notify(): void {
    this.snapshot = { chat: this.state, history: this.history }
    for (const listener of this.listeners) listener()
  }

  private dispatch(action: ChatAction): void {
    this.state = chatReducer(this.state, action)
    this.notify()
  }

  private setHistory(history: HistoryState): void {
    this.history = history
    this.notify()
  }

  // --- history ---

  /** Reloads the first page of the thread history. */
  async refreshHistory(): Promise<void> {
    this.setHistory({ ...this.history, loading: true, error: null })
    try {
      const page = await this.client.listThreads({ limit: 30 })
      this.setHistory({
        threads: page.data.map(threadInfo),
        loading: false,
        loaded: true,
        hasMore: page.has_more,
        after: page.after,
        error: null,
      })
    } catch (err) {
      this.setHistory({ ...this.history, loading: false, loaded: true, error: toChatError(err).message })
    }
  }

  /** Loads the next page of the history. */
  async loadMoreHistory(): Promise<void> {
    if (!this.history.hasMore || this.history.loading) return
    this.setHistory({ ...this.history, loading: true })
    try {
      const page = await this.client.listThreads({ limit: 30, after: this.history.after })
      const known = new Set(this.history.threads.map((t) => t.id))
      this.setHistory({
        threads: [...this.history.threads, ...page.data.map(threadInfo).filter((t) => !known.has(t.id))],
        loading: false,
        loaded: true,
        hasMore: page.has_more,
        after: page.after,
        error: null,
      })
    } catch (err) {
      this.setHistory({ ...this.history, loading: false, error: toChatError(err).message })
    }
  }

  private rememberThread(thread: ThreadInfo): void {
    const threads = this.history.threads.filter((t) => t.id !== thread.id)
    const index = this.history.threads.findIndex((t) => t.id === thread.id)
    if (index === -1) threads.unshift(thread)
    else threads.splice(index, 0, thread)
    this.setHistory({ ...this.history, threads })
  }

  /** Renames a thread (`threads.update`). */
  async renameThread(threadId: string, title: string): Promise<void> {
    const trimmed = title.trim()
    if (!trimmed) return
    try {
      const thread = await this.client.renameThread(threadId, trimmed)
      this.rememberThread(threadInfo(thread))
      if (this.state.thread?.id === threadId) this.dispatch({ type: 'renamed', title: thread.title ?? trimmed })
    } catch (err) {
      this.reportError(err)
    }
  }

  /** Deletes a thread (`threads.delete`); the open thread is closed. */
  async deleteThread(threadId: string): Promise<void> {
    try {
      await this.client.deleteThread(threadId)
      this.setHistory({ ...this.history, threads: this.history.threads.filter((t) => t.id !== threadId) })
      if (this.state.thread?.id === threadId) this.newThread()
    } catch (err) {
      this.reportError(err)
    }
  }

  // --- threads ---

  /** Opens a thread: its items, oldest first. */
  async openThread(threadId: string): Promise<void> {
    this.streamAbort?.abort()
    this.loadAbort?.abort()
    const controller = new AbortController()
    this.loadAbort = controller
    this.dispatch({ type: 'loading', threadId })
    this.onEvent('chatkit.thread.load.start', { threadId })
    try {
      const { thread, items } = await this.client.loadThread(threadId, controller.signal)
      if (controller.signal.aborted) return
      this.dispatch({ type: 'loaded', thread, items })
      this.onEvent('chatkit.thread.change', { threadId: thread.id })
    } catch (err) {
      if (controller.signal.aborted || isAbort(err)) return
      this.dispatch({ type: 'failed', error: { ...toChatError(err), allowRetry: false } })
      this.reportError(err)
      // Nothing is open now: a page that keeps the thread in its address can forget it.
      this.onEvent('chatkit.thread.change', { threadId: null })
    } finally {
      if (this.loadAbort === controller) this.loadAbort = null
      this.onEvent('chatkit.thread.load.end', { threadId })
    }
  }

  /** Starts a new thread (created by the server with the first message). */
  newThread(): void {
    this.streamAbort?.abort()
    this.loadAbort?.abort()
    const had = this.state.thread !== null
    this.dispatch({ type: 'reset' })
    if (had) this.onEvent('chatkit.thread.change', { threadId: null })
  }

  /** Reloads the open thread from the server. */
  async fetchUpdates(): Promise<void> {
    if (this.state.thread && !this.state.responding) await this.openThread(this.state.thread.id)
  }

  // --- replies ---

  /** Sends a user message, creating a thread when none is open. */
  async sendUserMessage(message: OutgoingMessage): Promise<void> {
    if (this.state.responding) return
    const content: UserMessageContent[] =
      message.content ?? (message.text !== undefined && message.text.trim() !== '' ? [{ type: 'input_text', text: message.text }] : [])
    if (content.length === 0) return
    if (message.newThread) this.newThread()
    const input: UserMessageInput = {
      content,
      attachments: [],
      inference_options: message.model ? { model: message.model } : {},
    }
    this.lastInput = input
    const threadId = this.state.thread?.id ?? null
    await this.run((signal) => this.client.sendMessage(threadId, input, signal))
  }

  /** Stops the reply: closes the stream (the server keeps what was written so far). */
  stop(): void {
    this.streamAbort?.abort()
  }

  /**
   * Answers again: `threads.retry_after_item` for the user message at or before `itemId` (the
   * last one when absent). The server deletes what followed it without saying so, so the items
   * after it are dropped here. With no thread yet (the first message failed before one was
   * created), the last message is sent again.
   */
  async retry(itemId?: string): Promise<void> {
    if (this.state.responding) return
    const threadId = this.state.thread?.id
    const target = retryTarget(this.state.items, itemId)
    if (threadId && target) {
      this.dispatch({ type: 'truncate_after', itemId: target })
      await this.run((signal) => this.client.retryAfterItem(threadId, target, signal))
      return
    }
    if (!threadId && this.lastInput) {
      const input = this.lastInput
      await this.run((signal) => this.client.sendMessage(null, input, signal))
    }
  }

  /** Rates an assistant message (`items.feedback`). */
  async feedback(itemId: string, kind: FeedbackKind): Promise<void> {
    const threadId = this.state.thread?.id
    if (!threadId) return
    try {
      await this.client.feedback(threadId, [itemId], kind)
      this.dispatch({ type: 'feedback', itemIds: [itemId], kind })
    } catch (err) {
      this.reportError(err)
    }
  }

  /** Answers a pending `structured_input` item (`threads.add_structured_input`). */
  async submitStructuredInput(itemId: string, submission: StructuredInputSubmission): Promise<void> {
    const threadId = this.state.thread?.id
    if (!threadId || this.state.responding) return
    await this.run((signal) =>
      this.client.stream(request('threads.add_structured_input', { thread_id: threadId, item_id: itemId, input: submission }), signal),
    )
  }

  /** Hides a notice. */
  dismissNotice(id: number): void {
    this.dispatch({ type: 'dismiss_notice', id })
  }

  /** Hides the error. */
  dismissError(): void {
    this.dispatch({ type: 'dismiss_error' })
  }

  private reportError(err: unknown): void {
    const error = toChatError(err)
    this.onEvent('chatkit.error', { error: new Error(error.message), code: error.code })
  }

  private afterEvent(event: ThreadStreamEvent): void {
    switch (event.type) {
      case 'thread.created':
        this.rememberThread(threadInfo(event.thread))
        this.onEvent('chatkit.thread.change', { threadId: event.thread.id })
        break
      case 'thread.updated':
        this.rememberThread(threadInfo(event.thread))
        break
      case 'client_effect':
        this.onEvent('chatkit.effect', { name: event.name, data: event.data })
        break
      case 'error':
        this.onEvent('chatkit.error', { error: new Error(this.state.error?.message ?? 'error'), code: event.code })
        break
      default:
        break
    }
  }

  private async run(open: (signal: AbortSignal) => AsyncGenerator<ThreadStreamEvent>): Promise<void> {
    const controller = new AbortController()
    this.streamAbort = controller
    this.dispatch({ type: 'response_started' })
    this.onEvent('chatkit.response.start', {})
    let toolCall: ClientToolCallItem | null = null
    try {
      for await (const event of open(controller.signal)) {
        if (controller.signal.aborted) break
        this.dispatch({ type: 'event', event })
        this.afterEvent(event)
        if (event.type === 'thread.item.done' && event.item.type === 'client_tool_call' && event.item.status === 'pending') {
          toolCall = event.item
        }
      }
    } catch (err) {
      if (!controller.signal.aborted && !isAbort(err)) {
        this.dispatch({ type: 'failed', error: toChatError(err) })
        this.reportError(err)
      }
    } finally {
      if (this.streamAbort === controller) this.streamAbort = null
      this.dispatch({ type: 'response_ended' })
      this.onEvent('chatkit.response.end', {})
    }
    if (controller.signal.aborted) {
      // The server kept what was written; a thread created before Stop belongs in the history.
      if (this.historyEnabled) void this.refreshHistory()
      return
    }
    if (toolCall) await this.answerClientTool(toolCall)
  }

  /**
   * Runs the page's handler for a pending client tool call, marks the call completed (the server
   * sends no event for that) and resumes the reply with `threads.add_client_tool_output`.
   * A missing or failing handler answers `{error}` so the reply still resumes.
   */
  private async answerClientTool(item: ClientToolCallItem): Promise<void> {
    const threadId = this.state.thread?.id
    if (!threadId) return
    const params = item.arguments as Record<string, unknown>
    let result: JsonValue
    try {
      const { onClientTool, clientTools } = this.options
      const named = clientTools?.[item.name]
      let value: unknown
      if (onClientTool) value = await onClientTool({ name: item.name, params })
      else if (named) value = await named(params)
      else throw new Error(`This page has no handler for the tool "${item.name}".`)
      result = toJson(value)
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      result = { error: message }
      this.onEvent('chatkit.log', { name: 'client_tool.error', data: { tool: item.name, error: message } })
    }
    this.dispatch({ type: 'tool_completed', itemId: item.id, output: result })
    await this.run((signal) => this.client.addClientToolOutput(threadId, result, signal))
  }
}
