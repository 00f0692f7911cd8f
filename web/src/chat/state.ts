// The chat's state and the reducer that applies thread stream events to it (chatkit-protocol.md §3),
// plus the few things the protocol leaves to the client: after `threads.retry_after_item` the UI
// drops the later items itself, after `threads.add_client_tool_output` it marks the call completed
// itself, and hidden items are never shown. Pure functions only: the controller does the I/O.
import type {
  Annotation,
  AssistantMessageContent,
  FeedbackKind,
  IconName,
  JsonValue,
  NoticeLevel,
  Task,
  Thread,
  ThreadItem,
  ThreadItemUpdate,
  ThreadStatus,
  ThreadStreamEvent,
  WidgetComponent,
} from '../gen/chatkit'

/** What the chat shows about the open thread. */
export interface ThreadInfo {
  id: string
  title?: string
  status: ThreadStatus
  created_at: string
}

/** A notice event, kept until dismissed or until another thread opens. */
export interface Notice {
  id: number
  level: NoticeLevel
  title?: string
  message: string
}

/** An error shown under the conversation: an `error` event or a request that failed. */
export interface ChatError {
  code: string
  message: string
  allowRetry: boolean
}

/** Everything the chat view renders. */
export interface ChatState {
  thread: ThreadInfo | null
  /** Visible items, oldest first. */
  items: ThreadItem[]
  /** Items added and not yet done: still streaming. */
  streamingIds: string[]
  /** A thread is being loaded. */
  loading: boolean
  /** A reply is streaming. */
  responding: boolean
  /** The server allows stopping the reply (`stream_options`). */
  allowCancel: boolean
  progress: { text: string; icon?: IconName } | null
  notices: Notice[]
  error: ChatError | null
  /** Feedback given in this session, by item id. */
  feedback: Record<string, FeedbackKind>
  /** Progress of generated images (0..1), by item id. */
  imageProgress: Record<string, number>
  nextNoticeId: number
}

/** What the reducer understands. */
export type ChatAction =
  | { type: 'reset' }
  | { type: 'loading'; threadId: string }
  | { type: 'loaded'; thread: Thread; items: ThreadItem[] }
  | { type: 'response_started' }
  | { type: 'event'; event: ThreadStreamEvent }
  | { type: 'response_ended' }
  | { type: 'failed'; error: ChatError }
  | { type: 'truncate_after'; itemId: string }
  | { type: 'tool_completed'; itemId: string; output: JsonValue }
  | { type: 'feedback'; itemIds: string[]; kind: FeedbackKind }
  | { type: 'renamed'; title: string }
  | { type: 'dismiss_notice'; id: number }
  | { type: 'dismiss_error' }

/** What the client shows for `code: "stream.error"` (the server leaves the wording to us). */
export const STREAM_ERROR_MESSAGE = "There was an error while generating the assistant's response."

/** The state of a chat with no thread open. */
export const initialChatState: ChatState = {
  thread: null,
  items: [],
  streamingIds: [],
  loading: false,
  responding: false,
  allowCancel: true,
  progress: null,
  notices: [],
  error: null,
  feedback: {},
  imageProgress: {},
  nextNoticeId: 1,
}

/** Items the user never sees (chatkit-protocol.md §4.2): they should not arrive, and are dropped if they do. */
export function isHidden(item: ThreadItem): boolean {
  return item.type === 'hidden_context_item' || item.type === 'sdk_hidden_context'
}

function threadInfo(thread: Thread): ThreadInfo {
  return { id: thread.id, title: thread.title, status: thread.status, created_at: thread.created_at }
}

function upsert(items: ThreadItem[], item: ThreadItem): ThreadItem[] {
  if (isHidden(item)) return items
  const index = items.findIndex((it) => it.id === item.id)
  if (index === -1) return [...items, item]
  const next = items.slice()
  next[index] = item
  return next
}

const emptyPart = (): AssistantMessageContent => ({ type: 'output_text', text: '', annotations: [] })

/** Pads `content` with empty text parts up to `index` (the server's own padding rule). */
function padded(content: AssistantMessageContent[], index: number): AssistantMessageContent[] {
  const next = content.slice()
  while (next.length <= index) next.push(emptyPart())
  return next
}

function insertAt<T>(list: T[], index: number, value: T): T[] {
  const next = list.slice()
  if (index >= next.length) next.push(value)
  else next.splice(index, 0, value)
  return next
}

function mapComponents(node: WidgetComponent, fn: (node: WidgetComponent) => WidgetComponent): WidgetComponent {
  const mapped = fn(node)
  const children = mapped.children
  if (Array.isArray(children)) {
    return {
      ...mapped,
      children: children.map((child: unknown) =>
        typeof child === 'object' && child !== null && 'type' in child ? mapComponents(child as WidgetComponent, fn) : child,
      ),
    }
  }
  return mapped
}

/** Applies one `thread.item.updated` change to an item; unknown combinations leave it as it was. */
export function applyUpdate(item: ThreadItem, update: ThreadItemUpdate): ThreadItem {
  switch (update.type) {
    case 'assistant_message.content_part.added': {
      if (item.type !== 'assistant_message') return item
      const content = padded(item.content, update.content_index)
      content[update.content_index] = update.content
      return { ...item, content }
    }
    case 'assistant_message.content_part.text_delta': {
      if (item.type !== 'assistant_message') return item
      const content = padded(item.content, update.content_index)
      const part = content[update.content_index] ?? emptyPart()
      content[update.content_index] = { ...part, text: part.text + update.delta }
      return { ...item, content }
    }
    case 'assistant_message.content_part.annotation_added': {
      if (item.type !== 'assistant_message') return item
      const content = padded(item.content, update.content_index)
      const part = content[update.content_index] ?? emptyPart()
      const annotations: Annotation[] = insertAt(part.annotations, update.annotation_index, update.annotation)
      content[update.content_index] = { ...part, annotations }
      return { ...item, content }
    }
    case 'assistant_message.content_part.done': {
      if (item.type !== 'assistant_message') return item
      const content = padded(item.content, update.content_index)
      content[update.content_index] = update.content
      return { ...item, content }
    }
    case 'workflow.task.added': {
      if (item.type !== 'workflow') return item
      const tasks: Task[] = insertAt(item.workflow.tasks, update.task_index, update.task)
      return { ...item, workflow: { ...item.workflow, tasks } }
    }
    case 'workflow.task.updated': {
      if (item.type !== 'workflow') return item
      const tasks = item.workflow.tasks.slice()
      if (update.task_index < tasks.length) tasks[update.task_index] = update.task
      else tasks.push(update.task)
      return { ...item, workflow: { ...item.workflow, tasks } }
    }
    case 'widget.root.updated':
      return item.type === 'widget' ? { ...item, widget: update.widget } : item
    case 'widget.component.updated': {
      if (item.type !== 'widget') return item
      const widget = mapComponents(item.widget, (node) =>
        node.id === update.component_id ? update.component : node,
      ) as typeof item.widget
      return { ...item, widget }
    }
    case 'widget.streaming_text.value_delta': {
      if (item.type !== 'widget') return item
      const widget = mapComponents(item.widget, (node) =>
        node.id === update.component_id
          ? { ...node, value: `${typeof node.value === 'string' ? node.value : ''}${update.delta}`, streaming: !update.done }
          : node,
      ) as typeof item.widget
      return { ...item, widget }
    }
    case 'generated_image.updated':
      return item.type === 'generated_image' ? { ...item, image: update.image } : item
    default:
      return item
  }
}

function applyEvent(state: ChatState, event: ThreadStreamEvent): ChatState {
  switch (event.type) {
    case 'thread.created':
    case 'thread.updated':
      return { ...state, thread: threadInfo(event.thread) }
    case 'thread.item.added':
      if (isHidden(event.item)) return state
      return {
        ...state,
        items: upsert(state.items, event.item),
        streamingIds: state.streamingIds.includes(event.item.id) ? state.streamingIds : [...state.streamingIds, event.item.id],
      }
    case 'thread.item.done':
      return {
        ...state,
        items: upsert(state.items, event.item),
        streamingIds: state.streamingIds.filter((id) => id !== event.item.id),
      }
    case 'thread.item.replaced':
      return { ...state, items: upsert(state.items, event.item) }
    case 'thread.item.removed':
      return {
        ...state,
        items: state.items.filter((it) => it.id !== event.item_id),
        streamingIds: state.streamingIds.filter((id) => id !== event.item_id),
      }
    case 'thread.item.updated': {
      const index = state.items.findIndex((it) => it.id === event.item_id)
      const current = state.items[index]
      if (current === undefined) return state
      const items = state.items.slice()
      items[index] = applyUpdate(current, event.update)
      const imageProgress =
        event.update.type === 'generated_image.updated' && event.update.progress !== undefined
          ? { ...state.imageProgress, [event.item_id]: event.update.progress }
          : state.imageProgress
      return { ...state, items, imageProgress }
    }
    case 'stream_options':
      return { ...state, allowCancel: event.stream_options.allow_cancel }
    case 'progress_update':
      return { ...state, progress: { text: event.text, icon: event.icon } }
    case 'client_effect':
      return state
    case 'error':
      return {
        ...state,
        progress: null,
        error: {
          code: event.code,
          message: event.code === 'stream.error' || !event.message ? STREAM_ERROR_MESSAGE : event.message,
          allowRetry: event.allow_retry,
        },
      }
    case 'notice':
      return {
        ...state,
        notices: [...state.notices, { id: state.nextNoticeId, level: event.level, title: event.title, message: event.message }],
        nextNoticeId: state.nextNoticeId + 1,
      }
    default:
      return state
  }
}

/** The reducer. */
export function chatReducer(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'reset':
      return { ...initialChatState, nextNoticeId: state.nextNoticeId }
    case 'loading':
      return { ...initialChatState, nextNoticeId: state.nextNoticeId, loading: true }
    case 'loaded':
      return {
        ...initialChatState,
        nextNoticeId: state.nextNoticeId,
        thread: threadInfo(action.thread),
        items: action.items.filter((it) => !isHidden(it)),
      }
    case 'response_started':
      return { ...state, responding: true, allowCancel: true, error: null, progress: null }
    case 'event':
      return applyEvent(state, action.event)
    case 'response_ended':
      return { ...state, responding: false, progress: null, streamingIds: [] }
    case 'failed':
      return { ...state, loading: false, error: action.error }
    case 'truncate_after': {
      const index = state.items.findIndex((it) => it.id === action.itemId)
      if (index === -1) return state
      return { ...state, items: state.items.slice(0, index + 1), error: null }
    }
    case 'tool_completed':
      return {
        ...state,
        items: state.items.map((it) =>
          it.id === action.itemId && it.type === 'client_tool_call' ? { ...it, status: 'completed', output: action.output } : it,
        ),
      }
    case 'feedback': {
      const feedback = { ...state.feedback }
      for (const id of action.itemIds) feedback[id] = action.kind
      return { ...state, feedback }
    }
    case 'renamed':
      return state.thread ? { ...state, thread: { ...state.thread, title: action.title } } : state
    case 'dismiss_notice':
      return { ...state, notices: state.notices.filter((n) => n.id !== action.id) }
    case 'dismiss_error':
      return { ...state, error: null }
    default:
      return state
  }
}

/** The user message a retry of `itemId` answers again: the item itself, or the last user message before it. */
export function retryTarget(items: ThreadItem[], itemId?: string): string | null {
  let end = items.length - 1
  if (itemId !== undefined) {
    end = items.findIndex((it) => it.id === itemId)
    if (end === -1) return null
  }
  for (let i = end; i >= 0; i--) {
    const item = items[i]
    if (item?.type === 'user_message') return item.id
  }
  return null
}

/** The plain text of a message's parts (for copying): parts are separated by a blank line. */
export function messageText(parts: ReadonlyArray<{ text: string }>): string {
  return parts.map((part) => part.text).join('\n\n')
}
