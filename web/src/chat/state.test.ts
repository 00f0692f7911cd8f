import { describe, expect, it } from 'vitest'
import type { AssistantMessageItem, Thread, ThreadItem, ThreadStreamEvent, WidgetItem } from '../gen/chatkit'
import { chatReducer, initialChatState, retryTarget, STREAM_ERROR_MESSAGE, type ChatAction, type ChatState } from './state'

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

const assistant = (id: string, text: string): ThreadItem => ({
  type: 'assistant_message',
  id,
  thread_id: T,
  created_at: at,
  content: [{ type: 'output_text', text, annotations: [] }],
})

function run(events: ThreadStreamEvent[], state: ChatState = initialChatState): ChatState {
  const actions: ChatAction[] = [{ type: 'response_started' }, ...events.map((event) => ({ type: 'event' as const, event }))]
  return actions.reduce(chatReducer, state)
}

const textOf = (state: ChatState, id: string): string => {
  const item = state.items.find((it) => it.id === id) as AssistantMessageItem | undefined
  return item?.content.map((p) => p.text).join('|') ?? '(missing)'
}

// The stream the server sends for a first message (chatkit-protocol.md §3), ids shortened.
const firstReply: ThreadStreamEvent[] = [
  { type: 'thread.created', thread: thread() },
  { type: 'thread.item.done', item: user('msg_u', 'hi') },
  { type: 'stream_options', stream_options: { allow_cancel: true } },
  { type: 'thread.item.added', item: { type: 'assistant_message', id: 'msg_a', thread_id: T, created_at: at, content: [] } },
  {
    type: 'thread.item.updated',
    item_id: 'msg_a',
    update: { type: 'assistant_message.content_part.added', content_index: 0, content: { type: 'output_text', text: '', annotations: [] } },
  },
  { type: 'thread.item.updated', item_id: 'msg_a', update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: 'Hel' } },
  { type: 'thread.item.updated', item_id: 'msg_a', update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: 'lo' } },
  {
    type: 'thread.item.updated',
    item_id: 'msg_a',
    update: {
      type: 'assistant_message.content_part.annotation_added',
      content_index: 0,
      annotation_index: 0,
      annotation: { type: 'annotation', source: { type: 'url', title: 'X', url: 'https://x.example' }, index: 5 },
    },
  },
]

describe('chatReducer: a streamed reply', () => {
  it('shows the thread, the user message and the text as it streams', () => {
    const state = run(firstReply)
    expect(state.thread?.id).toBe(T)
    expect(state.items.map((it) => it.id)).toEqual(['msg_u', 'msg_a'])
    expect(textOf(state, 'msg_a')).toBe('Hello')
    expect(state.streamingIds).toEqual(['msg_a'])
    expect(state.responding).toBe(true)
    const part = (state.items[1] as AssistantMessageItem).content[0]
    expect(part?.annotations).toHaveLength(1)
  })

  it('renders each delta as a new state (several partial renders)', () => {
    const states: string[] = []
    let state = chatReducer(initialChatState, { type: 'response_started' })
    for (const event of firstReply) {
      state = chatReducer(state, { type: 'event', event })
      if (state.items.some((it) => it.id === 'msg_a')) states.push(textOf(state, 'msg_a'))
    }
    expect(states).toEqual(['', '', 'Hel', 'Hello', 'Hello'])
  })

  it('replaces the streamed item with the final one when it is done, and ends the turn', () => {
    const done: ThreadStreamEvent[] = [
      {
        type: 'thread.item.updated',
        item_id: 'msg_a',
        update: { type: 'assistant_message.content_part.done', content_index: 0, content: { type: 'output_text', text: 'Hello!', annotations: [] } },
      },
      { type: 'progress_update', text: 'Searching' },
      { type: 'thread.item.done', item: assistant('msg_a', 'Hello, final') },
      { type: 'thread.updated', thread: thread('Greeting') },
    ]
    const state = chatReducer(run([...firstReply, ...done]), { type: 'response_ended' })
    expect(textOf(state, 'msg_a')).toBe('Hello, final')
    expect(state.thread?.title).toBe('Greeting')
    expect(state.streamingIds).toEqual([])
    expect(state.progress).toBeNull()
    expect(state.responding).toBe(false)
  })

  it('pads missing content parts, as the server does', () => {
    const state = run([
      { type: 'thread.item.added', item: { type: 'assistant_message', id: 'm', thread_id: T, created_at: at, content: [] } },
      { type: 'thread.item.updated', item_id: 'm', update: { type: 'assistant_message.content_part.text_delta', content_index: 2, delta: 'third' } },
    ])
    expect(textOf(state, 'm')).toBe('||third')
  })

  it('inserts annotations at their index, appending past the end', () => {
    const source = (title: string) => ({ type: 'url' as const, title, url: `https://${title}.example` })
    const state = run([
      { type: 'thread.item.done', item: assistant('m', 'text') },
      ...[
        [0, 'a'],
        [5, 'c'],
        [1, 'b'],
      ].map(
        ([index, title]): ThreadStreamEvent => ({
          type: 'thread.item.updated',
          item_id: 'm',
          update: {
            type: 'assistant_message.content_part.annotation_added',
            content_index: 0,
            annotation_index: index as number,
            annotation: { type: 'annotation', source: source(title as string) },
          },
        }),
      ),
    ])
    const part = (state.items[0] as AssistantMessageItem).content[0]
    expect(part?.annotations.map((a) => a.source.title)).toEqual(['a', 'b', 'c'])
  })

  it('ignores updates for an item it does not have', () => {
    const before = run([{ type: 'thread.item.done', item: assistant('m', 'x') }])
    const after = chatReducer(before, {
      type: 'event',
      event: { type: 'thread.item.updated', item_id: 'nope', update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: '!' } },
    })
    expect(after.items).toBe(before.items)
  })
})

describe('chatReducer: other events', () => {
  it('adds and updates workflow tasks', () => {
    const state = run([
      {
        type: 'thread.item.added',
        item: { type: 'workflow', id: 'wf', thread_id: T, created_at: at, workflow: { type: 'reasoning', tasks: [], expanded: true } },
      },
      {
        type: 'thread.item.updated',
        item_id: 'wf',
        update: { type: 'workflow.task.added', task_index: 0, task: { type: 'thought', status_indicator: 'none', content: 'Consid' } },
      },
      {
        type: 'thread.item.updated',
        item_id: 'wf',
        update: { type: 'workflow.task.updated', task_index: 0, task: { type: 'thought', status_indicator: 'none', content: 'Considering.' } },
      },
      {
        type: 'thread.item.updated',
        item_id: 'wf',
        update: { type: 'workflow.task.added', task_index: 1, task: { type: 'custom', status_indicator: 'loading', title: 'Look up' } },
      },
    ])
    const wf = state.items[0]
    expect(wf?.type).toBe('workflow')
    if (wf?.type !== 'workflow') return
    expect(wf.workflow.tasks).toEqual([
      { type: 'thought', status_indicator: 'none', content: 'Considering.' },
      { type: 'custom', status_indicator: 'loading', title: 'Look up' },
    ])
  })

  it('replaces and removes items', () => {
    const state = run([
      { type: 'thread.item.done', item: assistant('a', 'one') },
      { type: 'thread.item.done', item: assistant('b', 'two') },
      { type: 'thread.item.replaced', item: assistant('a', 'uno') },
      { type: 'thread.item.removed', item_id: 'b' },
    ])
    expect(state.items.map((it) => textOf(state, it.id))).toEqual(['uno'])
  })

  it('never shows hidden items', () => {
    const state = run([
      { type: 'thread.item.done', item: { type: 'sdk_hidden_context', id: 'h', thread_id: T, created_at: at, content: 'cancelled' } },
      { type: 'thread.item.added', item: { type: 'hidden_context_item', id: 'h2', thread_id: T, created_at: at, content: null } },
    ])
    expect(state.items).toEqual([])
  })

  it('streams text into a widget component and replaces a widget root', () => {
    const widget: WidgetItem = {
      id: 'w',
      thread_id: T,
      created_at: at,
      widget: { type: 'Card', children: [{ type: 'Text', id: 'txt', value: 'Hel', streaming: true }] },
    }
    let state = run([
      { type: 'thread.item.added', item: { type: 'widget', ...widget } },
      { type: 'thread.item.updated', item_id: 'w', update: { type: 'widget.streaming_text.value_delta', component_id: 'txt', delta: 'lo', done: true } },
    ])
    const first = state.items[0]
    expect(first?.type === 'widget' && first.widget.children).toEqual([{ type: 'Text', id: 'txt', value: 'Hello', streaming: false }])
    state = chatReducer(state, {
      type: 'event',
      event: { type: 'thread.item.updated', item_id: 'w', update: { type: 'widget.root.updated', widget: { type: 'Card', children: [] } } },
    })
    const second = state.items[0]
    expect(second?.type === 'widget' && second.widget).toEqual({ type: 'Card', children: [] })
  })

  it('keeps notices until dismissed, and shows progress until the turn ends', () => {
    let state = run([
      { type: 'notice', level: 'info', message: 'Quota **low**', title: 'Heads up' },
      { type: 'notice', level: 'danger', message: 'Second' },
      { type: 'progress_update', text: 'Gathering data…' },
    ])
    expect(state.notices.map((n) => [n.level, n.message])).toEqual([
      ['info', 'Quota **low**'],
      ['danger', 'Second'],
    ])
    expect(state.progress?.text).toBe('Gathering data…')
    state = chatReducer(state, { type: 'response_ended' })
    expect(state.progress).toBeNull()
    state = chatReducer(state, { type: 'dismiss_notice', id: state.notices[0]?.id ?? -1 })
    expect(state.notices.map((n) => n.message)).toEqual(['Second'])
  })

  it('shows custom error messages, and its own words for stream.error', () => {
    const custom = run([{ type: 'error', code: 'custom', message: 'The model service failed to answer. Try again.', allow_retry: true }])
    expect(custom.error).toEqual({ code: 'custom', message: 'The model service failed to answer. Try again.', allowRetry: true })
    const generic = run([{ type: 'error', code: 'stream.error', allow_retry: false }])
    expect(generic.error?.message).toBe(STREAM_ERROR_MESSAGE)
    expect(generic.error?.allowRetry).toBe(false)
    expect(chatReducer(custom, { type: 'response_started' }).error).toBeNull()
  })

  it('honours stream_options: no Stop button when cancelling is not allowed', () => {
    expect(run([{ type: 'stream_options', stream_options: { allow_cancel: false } }]).allowCancel).toBe(false)
  })
})

describe('chatReducer: what the client does itself', () => {
  const conversation = run([
    { type: 'thread.created', thread: thread() },
    { type: 'thread.item.done', item: user('u1', 'first') },
    { type: 'thread.item.done', item: assistant('a1', 'one') },
    { type: 'thread.item.done', item: user('u2', 'second') },
    { type: 'thread.item.done', item: assistant('a2', 'two') },
  ])

  it('drops the items after the retried message', () => {
    const state = chatReducer(conversation, { type: 'truncate_after', itemId: 'u1' })
    expect(state.items.map((it) => it.id)).toEqual(['u1'])
  })

  it('finds the user message a retry answers again', () => {
    expect(retryTarget(conversation.items)).toBe('u2')
    expect(retryTarget(conversation.items, 'a1')).toBe('u1')
    expect(retryTarget(conversation.items, 'u2')).toBe('u2')
    expect(retryTarget(conversation.items, 'missing')).toBeNull()
    expect(retryTarget([])).toBeNull()
  })

  it('marks a client tool call completed with its output', () => {
    const call: ThreadItem = {
      type: 'client_tool_call',
      id: 'tc',
      thread_id: T,
      created_at: at,
      status: 'pending',
      call_id: 'call_1',
      name: 'get_page_info',
      arguments: {},
    }
    const state = chatReducer(run([{ type: 'thread.item.done', item: call }]), {
      type: 'tool_completed',
      itemId: 'tc',
      output: { title: 'Page' },
    })
    expect(state.items[0]).toMatchObject({ status: 'completed', output: { title: 'Page' } })
  })

  it('remembers feedback and renames', () => {
    let state = chatReducer(conversation, { type: 'feedback', itemIds: ['a1'], kind: 'positive' })
    state = chatReducer(state, { type: 'renamed', title: 'Renamed' })
    expect(state.feedback).toEqual({ a1: 'positive' })
    expect(state.thread?.title).toBe('Renamed')
  })

  it('loads a thread without its hidden items and resets for a new one', () => {
    const loaded = chatReducer(conversation, {
      type: 'loaded',
      thread: thread('Old'),
      items: [user('u', 'x'), { type: 'sdk_hidden_context', id: 'h', thread_id: T, created_at: at, content: 'c' }],
    })
    expect(loaded.items.map((it) => it.id)).toEqual(['u'])
    expect(loaded.thread?.title).toBe('Old')
    const reset = chatReducer(loaded, { type: 'reset' })
    expect(reset.thread).toBeNull()
    expect(reset.items).toEqual([])
  })
})
