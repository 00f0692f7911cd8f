// The whole chat: history beside the conversation, the conversation (start screen, items,
// notices, progress, errors), and the composer. State lives in the ChatController.
import {
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type CSSProperties,
  type ReactElement,
} from 'react'
import type { UserMessageContent } from '../../gen/chatkit'
import type { ChatController } from '../controller'
import { colorSchemeOf } from '../options'
import { Composer, type ComposerHandle } from './Composer'
import { History, threadTitle } from './History'
import { CloseIcon, HistoryIcon, InfoIcon, PlusIcon, RetryIcon, Spinner, WarningIcon } from './icons'
import { ItemView, type ItemContext } from './Items'
import { Markdown } from './Markdown'
import { StartScreen } from './StartScreen'

/** Imperative access for the custom element (focus, prefill). */
export interface ChatAppHandle {
  composer: ComposerHandle | null
}

export function ChatApp({ controller, handle }: { controller: ChatController; handle?: ChatAppHandle }): ReactElement {
  const { chat, history } = useSyncExternalStore(controller.subscribe, controller.getSnapshot)
  const options = controller.getOptions()
  const historyEnabled = options.history?.enabled !== false
  const headerEnabled = options.header?.enabled !== false
  const rootRef = useRef<HTMLDivElement>(null)
  const scrollRef = useRef<HTMLDivElement>(null)
  const stickRef = useRef(true)
  const composerRef = useRef<ComposerHandle>(null)
  const historyId = useId()
  const [historyOpen, setHistoryOpen] = useState(true)

  useLayoutEffect(() => {
    // Narrow hosts start with the history folded away.
    const width = rootRef.current?.getBoundingClientRect().width ?? 1000
    if (width > 0 && width < 640) setHistoryOpen(false)
  }, [])

  useEffect(() => {
    if (handle) handle.composer = composerRef.current
  })

  // Follow the reply as it streams, unless the reader scrolled up.
  useLayoutEffect(() => {
    const el = scrollRef.current
    if (el && stickRef.current) el.scrollTop = el.scrollHeight
  }, [chat.items, chat.progress, chat.error, chat.notices, chat.responding])

  const onScroll = (): void => {
    const el = scrollRef.current
    if (el) stickRef.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80
  }

  const sendPrompt = useCallback(
    (prompt: string | UserMessageContent[]) => {
      stickRef.current = true
      void controller.sendUserMessage(typeof prompt === 'string' ? { text: prompt } : { content: prompt })
    },
    [controller],
  )

  const theme = typeof options.theme === 'object' ? options.theme : undefined
  const accent = theme?.color?.accent?.primary
  const style = accent ? ({ '--ck-accent': accent } as CSSProperties) : undefined
  const status = chat.thread?.status
  const disabledReason =
    status?.type === 'locked' ? (status.reason ?? 'This conversation is locked.') : status?.type === 'closed' ? (status.reason ?? 'This conversation is closed.') : undefined
  const title = options.header?.title?.text ?? (chat.thread ? threadTitle(chat.thread) : 'New chat')
  const lastId = chat.items[chat.items.length - 1]?.id

  const showFeedback = options.threadItemActions?.feedback !== false
  const showRetry = options.threadItemActions?.retry !== false
  const baseCtx = useMemo(
    (): Omit<ItemContext, 'streaming' | 'last' | 'feedback' | 'imageProgress'> => ({
      responding: chat.responding,
      showFeedback,
      showRetry,
      onFeedback: (id, kind) => void controller.feedback(id, kind),
      onRetry: (id) => {
        stickRef.current = true
        void controller.retry(id)
      },
      onSubmitAnswers: (id, submission) => void controller.submitStructuredInput(id, submission),
    }),
    [controller, chat.responding, showFeedback, showRetry],
  )
  const lastItem = chat.items[chat.items.length - 1]
  const waiting = chat.responding && chat.progress === null && (lastItem === undefined || lastItem.type === 'user_message' || lastItem.type === 'client_tool_call')

  return (
    <div
      ref={rootRef}
      className="ck-root"
      data-scheme={colorSchemeOf(options.theme)}
      data-radius={theme?.radius}
      data-density={theme?.density}
      data-history={historyEnabled && historyOpen ? 'open' : 'closed'}
      style={style}
    >
      {historyEnabled && historyOpen ? (
        <History
          id={historyId}
          history={history}
          activeId={chat.thread?.id ?? null}
          showRename={options.history?.showRename !== false}
          showDelete={options.history?.showDelete !== false}
          onOpen={(id) => {
            stickRef.current = true
            // In a narrow chat the history covers the conversation: fold it away.
            const width = rootRef.current?.getBoundingClientRect().width ?? 1000
            if (width < 640) setHistoryOpen(false)
            void controller.openThread(id)
          }}
          onRename={(id, t) => void controller.renameThread(id, t)}
          onDelete={(id) => void controller.deleteThread(id)}
          onMore={() => void controller.loadMoreHistory()}
        />
      ) : null}
      <section className="ck-main" aria-label="Chat">
        {headerEnabled ? (
          <header className="ck-header">
            {historyEnabled ? (
              <button
                type="button"
                className="ck-icon-button"
                aria-label={historyOpen ? 'Hide conversations' : 'Show conversations'}
                aria-expanded={historyOpen}
                aria-controls={historyId}
                onClick={() => setHistoryOpen((open) => !open)}
              >
                <HistoryIcon />
              </button>
            ) : null}
            {options.header?.title?.enabled !== false ? <h2 className="ck-title">{title}</h2> : <span className="ck-title" />}
            <button
              type="button"
              className="ck-button"
              onClick={() => {
                controller.newThread()
                composerRef.current?.focus()
              }}
            >
              <PlusIcon />
              <span>New chat</span>
            </button>
          </header>
        ) : null}

        <div className="ck-scroll" ref={scrollRef} onScroll={onScroll}>
          {chat.loading ? (
            <p className="ck-muted ck-loading" role="status">
              <Spinner /> Loading the conversation…
            </p>
          ) : chat.items.length === 0 && !chat.responding && !chat.thread ? (
            <StartScreen startScreen={options.startScreen} disabled={disabledReason !== undefined} onPrompt={sendPrompt} />
          ) : (
            <div className="ck-log" role="log" aria-label="Conversation" aria-live="polite" aria-busy={chat.responding}>
              {chat.items.map((item) => (
                <ItemView
                  key={item.id}
                  item={item}
                  ctx={{
                    ...baseCtx,
                    streaming: chat.streamingIds.includes(item.id),
                    last: item.id === lastId,
                    feedback: chat.feedback[item.id],
                    imageProgress: chat.imageProgress[item.id],
                  }}
                />
              ))}
            </div>
          )}

          {chat.notices.map((notice) => (
            <div key={notice.id} className="ck-notice" data-level={notice.level} role={notice.level === 'info' ? 'status' : 'alert'}>
              {notice.level === 'info' ? <InfoIcon /> : <WarningIcon />}
              <div className="ck-notice-body">
                {notice.title ? <p className="ck-notice-title">{notice.title}</p> : null}
                <Markdown text={notice.message} />
              </div>
              <button type="button" className="ck-icon-button" aria-label="Dismiss notice" onClick={() => controller.dismissNotice(notice.id)}>
                <CloseIcon />
              </button>
            </div>
          ))}

          {chat.progress ? (
            <p className="ck-progress" role="status">
              <Spinner /> {chat.progress.text}
            </p>
          ) : waiting ? (
            <p className="ck-progress" role="status">
              <Spinner /> Thinking…
            </p>
          ) : null}

          {chat.error ? (
            <div className="ck-error" role="alert">
              <WarningIcon />
              <p className="ck-error-text">{chat.error.message}</p>
              {chat.error.allowRetry ? (
                <button
                  type="button"
                  className="ck-button"
                  disabled={chat.responding}
                  onClick={() => {
                    stickRef.current = true
                    void controller.retry()
                  }}
                >
                  <RetryIcon />
                  <span>Try again</span>
                </button>
              ) : null}
              <button type="button" className="ck-icon-button" aria-label="Dismiss error" onClick={() => controller.dismissError()}>
                <CloseIcon />
              </button>
            </div>
          ) : null}
        </div>

        <Composer
          ref={composerRef}
          placeholder={options.composer?.placeholder ?? 'Message the assistant'}
          models={options.composer?.models ?? []}
          responding={chat.responding}
          allowCancel={chat.allowCancel}
          disabledReason={disabledReason}
          onSend={(text, model) => {
            stickRef.current = true
            void controller.sendUserMessage({ text, model })
          }}
          onStop={() => controller.stop()}
        />
      </section>
    </div>
  )
}
