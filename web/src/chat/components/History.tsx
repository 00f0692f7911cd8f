// The thread history: open, rename and delete conversations.
import { useEffect, useRef, useState, type FormEvent, type ReactElement } from 'react'
import type { HistoryState } from '../controller'
import type { ThreadInfo } from '../state'
import { CheckIcon, CloseIcon, PencilIcon, TrashIcon } from './icons'

/** What a thread is called in the list. */
export function threadTitle(thread: { title?: string }): string {
  return thread.title?.trim() ? thread.title : 'Untitled conversation'
}

interface HistoryProps {
  id: string
  history: HistoryState
  activeId: string | null
  showRename: boolean
  showDelete: boolean
  onOpen: (threadId: string) => void
  onRename: (threadId: string, title: string) => void
  onDelete: (threadId: string) => void
  onMore: () => void
}

export function History(props: HistoryProps): ReactElement {
  const { history } = props
  return (
    <nav className="ck-history" id={props.id} aria-label="Conversations">
      <h2 className="ck-history-title">Conversations</h2>
      {history.error ? (
        <p className="ck-history-error" role="alert">
          Could not load the conversations: {history.error}
        </p>
      ) : null}
      {history.loaded && history.threads.length === 0 && !history.error ? (
        <p className="ck-muted ck-history-empty">No conversations yet.</p>
      ) : null}
      <ul className="ck-thread-list">
        {history.threads.map((thread) => (
          <HistoryRow key={thread.id} thread={thread} active={thread.id === props.activeId} {...props} />
        ))}
      </ul>
      {history.hasMore ? (
        <button type="button" className="ck-button ck-more" onClick={props.onMore} disabled={history.loading}>
          Load more
        </button>
      ) : null}
    </nav>
  )
}

function HistoryRow({
  thread,
  active,
  showRename,
  showDelete,
  onOpen,
  onRename,
  onDelete,
}: HistoryProps & { thread: ThreadInfo; active: boolean }): ReactElement {
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view')
  const inputRef = useRef<HTMLInputElement>(null)
  const confirmRef = useRef<HTMLButtonElement>(null)
  const title = threadTitle(thread)

  useEffect(() => {
    if (mode === 'rename') inputRef.current?.select()
    if (mode === 'delete') confirmRef.current?.focus()
  }, [mode])

  if (mode === 'rename') {
    const save = (event: FormEvent): void => {
      event.preventDefault()
      const value = inputRef.current?.value ?? ''
      setMode('view')
      if (value.trim() && value.trim() !== thread.title) onRename(thread.id, value)
    }
    return (
      <li className="ck-thread-row" data-active={active || undefined}>
        <form className="ck-rename" onSubmit={save}>
          <input
            ref={inputRef}
            className="ck-rename-input"
            aria-label="New title"
            defaultValue={thread.title ?? ''}
            maxLength={200}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault()
                setMode('view')
              }
            }}
          />
          <button type="submit" className="ck-icon-button" aria-label="Save title">
            <CheckIcon />
          </button>
          <button type="button" className="ck-icon-button" aria-label="Cancel renaming" onClick={() => setMode('view')}>
            <CloseIcon />
          </button>
        </form>
      </li>
    )
  }

  if (mode === 'delete') {
    return (
      <li className="ck-thread-row" data-active={active || undefined}>
        <div className="ck-confirm" role="group" aria-label={`Delete “${title}”?`}>
          <span className="ck-confirm-text">Delete “{title}”?</span>
          <button
            ref={confirmRef}
            type="button"
            className="ck-button ck-danger"
            onClick={() => {
              setMode('view')
              onDelete(thread.id)
            }}
          >
            Delete
          </button>
          <button type="button" className="ck-button" onClick={() => setMode('view')}>
            Cancel
          </button>
        </div>
      </li>
    )
  }

  return (
    <li className="ck-thread-row" data-active={active || undefined}>
      <button type="button" className="ck-thread" aria-current={active ? 'page' : undefined} onClick={() => onOpen(thread.id)}>
        {title}
      </button>
      {showRename ? (
        <button type="button" className="ck-icon-button ck-row-action" aria-label={`Rename “${title}”`} title="Rename" onClick={() => setMode('rename')}>
          <PencilIcon />
        </button>
      ) : null}
      {showDelete ? (
        <button type="button" className="ck-icon-button ck-row-action" aria-label={`Delete “${title}”`} title="Delete" onClick={() => setMode('delete')}>
          <TrashIcon />
        </button>
      ) : null}
    </li>
  )
}
