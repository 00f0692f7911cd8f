// How each kind of thread item looks. Widgets are shown read-only here (their actions, forms and
// attachments come with the next issue); hidden items and end-of-turn markers show nothing.
import { memo, useState, type FormEvent, type ReactElement, type ReactNode } from 'react'
import type {
  Annotation,
  AssistantMessageItem,
  ClientToolCallItem,
  FeedbackKind,
  GeneratedImageItem,
  StructuredInputItem,
  StructuredInputSubmission,
  Task,
  ThreadItem,
  UserMessageItem,
  WidgetComponent,
  WidgetItem,
  WorkflowItem,
} from '../../gen/chatkit'
import { isLocalUrl } from '../markdown'
import { messageText } from '../state'
import {
  CheckIcon,
  CopyIcon,
  LinkIcon,
  RetryIcon,
  SparkleIcon,
  Spinner,
  ThumbDownIcon,
  ThumbUpIcon,
  ToolIcon,
} from './icons'
import { Markdown } from './Markdown'

/** What an item needs from the chat around it. */
export interface ItemContext {
  streaming: boolean
  responding: boolean
  /** The item is the last of the thread. */
  last: boolean
  feedback?: FeedbackKind
  showFeedback: boolean
  showRetry: boolean
  imageProgress?: number
  onFeedback: (itemId: string, kind: FeedbackKind) => void
  onRetry: (itemId: string) => void
  onSubmitAnswers: (itemId: string, submission: StructuredInputSubmission) => void
}

function sameContext(a: ItemContext, b: ItemContext): boolean {
  const keys = Object.keys(a) as Array<keyof ItemContext>
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key])
}

/**
 * One item. Memoised: while a reply streams only the item that changed renders again (the
 * reducer keeps every other item object as it was, and the callbacks are stable).
 */
export const ItemView = memo(ItemViewInner, (a, b) => a.item === b.item && sameContext(a.ctx, b.ctx))

function ItemViewInner({ item, ctx }: { item: ThreadItem; ctx: ItemContext }): ReactElement | null {
  switch (item.type) {
    case 'user_message':
      return <UserMessage item={item} />
    case 'assistant_message':
      return <AssistantMessage item={item} ctx={ctx} />
    case 'client_tool_call':
      return <ToolCall item={item} />
    case 'workflow':
      return <WorkflowView item={item} streaming={ctx.streaming} />
    case 'task':
      return (
        <div className="ck-task-item">
          <TaskView task={item.task} />
        </div>
      )
    case 'widget':
      return <WidgetView item={item} />
    case 'generated_image':
      return <ImageView item={item} progress={ctx.imageProgress} />
    case 'structured_input':
      return <StructuredInputView item={item} ctx={ctx} />
    default:
      return null
  }
}

function UserMessage({ item }: { item: UserMessageItem }): ReactElement {
  return (
    <article className="ck-msg ck-user" aria-label="You">
      {item.quoted_text ? <blockquote className="ck-quote">{item.quoted_text}</blockquote> : null}
      <p className="ck-user-text">
        {item.content.map((part, i) =>
          part.type === 'input_tag' ? (
            <span key={i} className="ck-tag">
              @{part.text}
            </span>
          ) : (
            <span key={i}>{part.text}</span>
          ),
        )}
      </p>
      {item.attachments.length > 0 ? (
        <ul className="ck-attachments" aria-label="Attachments">
          {item.attachments.map((a) => (
            <li key={a.id}>{a.name}</li>
          ))}
        </ul>
      ) : null}
    </article>
  )
}

function safeHttpUrl(url: string): string | null {
  try {
    const parsed = new URL(url, document.baseURI)
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null
  } catch {
    return null
  }
}

function Sources({ annotations }: { annotations: Annotation[] }): ReactElement | null {
  const seen = new Set<string>()
  const sources = annotations
    .map((a) => a.source)
    .filter((s) => {
      const key = s.type === 'url' ? s.url : s.type === 'file' ? `file:${s.filename}` : `entity:${s.id}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
  if (sources.length === 0) return null
  return (
    <section className="ck-sources" aria-label="Sources">
      <h3 className="ck-sources-title">Sources</h3>
      <ol>
        {sources.map((source, i) => {
          if (source.type === 'url') {
            const href = safeHttpUrl(source.url)
            let host = ''
            try {
              host = new URL(source.url).hostname
            } catch {
              host = ''
            }
            return (
              <li key={i}>
                <LinkIcon />
                {href ? (
                  <a href={href} target="_blank" rel="noopener noreferrer nofollow">
                    {source.title}
                  </a>
                ) : (
                  <span>{source.title}</span>
                )}
                {host ? <span className="ck-muted"> {host}</span> : null}
              </li>
            )
          }
          return (
            <li key={i}>
              <span>{source.title}</span>
              {source.type === 'file' ? <span className="ck-muted"> {source.filename}</span> : null}
            </li>
          )
        })}
      </ol>
    </section>
  )
}

function AssistantMessage({ item, ctx }: { item: AssistantMessageItem; ctx: ItemContext }): ReactElement {
  const [copied, setCopied] = useState(false)
  const annotations = item.content.flatMap((part) => part.annotations)
  const empty = item.content.every((part) => part.text === '')
  const copy = (): void => {
    void navigator.clipboard?.writeText(messageText(item.content)).then(
      () => setCopied(true),
      () => undefined,
    )
  }
  return (
    <article className="ck-msg ck-assistant" aria-label="Assistant" aria-busy={ctx.streaming || undefined}>
      {empty && ctx.streaming ? (
        <p className="ck-muted">
          <Spinner /> Writing…
        </p>
      ) : null}
      {item.content.map((part, i) => (
        <Markdown key={i} text={part.text} />
      ))}
      <Sources annotations={annotations} />
      {!ctx.streaming ? (
        <div className="ck-actions" role="group" aria-label="Message actions">
          <button type="button" className="ck-icon-button" aria-label={copied ? 'Copied' : 'Copy message'} title="Copy" onClick={copy}>
            {copied ? <CheckIcon /> : <CopyIcon />}
          </button>
          {ctx.showFeedback ? (
            <>
              <button
                type="button"
                className="ck-icon-button"
                aria-label="Good response"
                title="Good response"
                aria-pressed={ctx.feedback === 'positive'}
                onClick={() => ctx.onFeedback(item.id, 'positive')}
              >
                <ThumbUpIcon />
              </button>
              <button
                type="button"
                className="ck-icon-button"
                aria-label="Bad response"
                title="Bad response"
                aria-pressed={ctx.feedback === 'negative'}
                onClick={() => ctx.onFeedback(item.id, 'negative')}
              >
                <ThumbDownIcon />
              </button>
            </>
          ) : null}
          {ctx.showRetry ? (
            <button
              type="button"
              className="ck-icon-button"
              aria-label="Retry"
              title="Retry"
              disabled={ctx.responding}
              onClick={() => ctx.onRetry(item.id)}
            >
              <RetryIcon />
            </button>
          ) : null}
          {ctx.feedback ? (
            <span className="ck-feedback-note" role="status">
              Thanks for your feedback.
            </span>
          ) : null}
        </div>
      ) : null}
    </article>
  )
}

function ToolCall({ item }: { item: ClientToolCallItem }): ReactElement {
  const pending = item.status === 'pending'
  return (
    <div className="ck-tool" data-status={item.status}>
      <p className="ck-tool-line">
        {pending ? <Spinner /> : <ToolIcon />}
        {pending ? (
          <span>
            Running the tool <code>{item.name}</code>…
          </span>
        ) : (
          <span>
            Used the tool <code>{item.name}</code>
          </span>
        )}
      </p>
      {!pending && item.output !== undefined ? (
        <details className="ck-tool-output">
          <summary>Result</summary>
          <pre>{JSON.stringify(item.output, null, 2)}</pre>
        </details>
      ) : null}
    </div>
  )
}

function TaskStatus({ task }: { task: Task }): ReactElement | null {
  if (task.status_indicator === 'loading') return <Spinner />
  if (task.status_indicator === 'complete') return <CheckIcon />
  return null
}

function TaskView({ task }: { task: Task }): ReactElement {
  let body: ReactNode = null
  let title = task.title
  switch (task.type) {
    case 'custom':
      body = task.content ? <Markdown text={task.content} /> : null
      break
    case 'thought':
      body = <Markdown text={task.content} />
      break
    case 'web_search':
      title = title ?? task.title_query ?? 'Searched the web'
      body = (
        <>
          {task.queries.length > 0 ? <p className="ck-muted">{task.queries.join(' · ')}</p> : null}
          {task.sources.length > 0 ? (
            <ul className="ck-task-sources">
              {task.sources.map((s, i) => {
                const href = safeHttpUrl(s.url)
                return (
                  <li key={i}>
                    {href ? (
                      <a href={href} target="_blank" rel="noopener noreferrer nofollow">
                        {s.title}
                      </a>
                    ) : (
                      s.title
                    )}
                  </li>
                )
              })}
            </ul>
          ) : null}
        </>
      )
      break
    case 'file':
      body =
        task.sources.length > 0 ? (
          <ul className="ck-task-sources">
            {task.sources.map((s, i) => (
              <li key={i}>{s.title}</li>
            ))}
          </ul>
        ) : null
      break
    case 'image':
      break
  }
  return (
    <div className="ck-task" data-status={task.status_indicator}>
      {title || task.status_indicator !== 'none' ? (
        <p className="ck-task-title">
          <TaskStatus task={task} />
          {title ? <span>{title}</span> : null}
        </p>
      ) : null}
      {body}
    </div>
  )
}

function workflowSummary(item: WorkflowItem, streaming: boolean): string {
  const { workflow } = item
  if (streaming) return workflow.type === 'reasoning' ? 'Thinking…' : 'Working…'
  const summary = workflow.summary
  if (summary && 'title' in summary) return summary.title
  const verb = workflow.type === 'reasoning' ? 'Thought' : 'Worked'
  if (summary && 'duration' in summary) {
    return summary.duration < 1 ? `${verb} for a moment` : `${verb} for ${summary.duration} s`
  }
  return workflow.type === 'reasoning' ? 'Thoughts' : 'Steps'
}

function WorkflowView({ item, streaming }: { item: WorkflowItem; streaming: boolean }): ReactElement {
  return (
    <details className="ck-workflow" open={streaming || item.workflow.expanded}>
      <summary>
        {streaming ? <Spinner /> : <SparkleIcon />}
        <span>{workflowSummary(item, streaming)}</span>
      </summary>
      <ol className="ck-tasks">
        {item.workflow.tasks.map((task, i) => (
          <li key={i}>
            <TaskView task={task} />
          </li>
        ))}
      </ol>
    </details>
  )
}

const CONTAINERS = new Set(['Card', 'ListView', 'ListViewItem', 'Basic', 'Box', 'Row', 'Col', 'Form', 'Transition'])

function str(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : ''
}

/** A read-only rendering of a widget tree: text, layout, disabled controls. */
function WidgetNode({ node }: { node: WidgetComponent }): ReactElement | null {
  const children = Array.isArray(node.children) ? (node.children as WidgetComponent[]) : []
  const kids = children.map((child, i) =>
    typeof child === 'object' && child !== null ? <WidgetNode key={child.key ?? child.id ?? i} node={child} /> : null,
  )
  if (CONTAINERS.has(node.type)) {
    const direction = node.type === 'Row' || node.direction === 'row' ? 'row' : 'col'
    return (
      <div className={`ck-w-${node.type.toLowerCase()}`} data-direction={direction}>
        {kids}
      </div>
    )
  }
  switch (node.type) {
    case 'Title':
      return <p className="ck-w-title">{str(node.value)}</p>
    case 'Text':
      return <p className="ck-w-text">{str(node.value)}</p>
    case 'Caption':
    case 'Label':
      return <p className="ck-w-caption">{str(node.value)}</p>
    case 'Markdown':
      return <Markdown text={str(node.value)} />
    case 'Badge':
      return <span className="ck-w-badge">{str(node.label)}</span>
    case 'Divider':
      return <hr className="ck-w-divider" />
    case 'Image': {
      const src = str(node.src)
      return src && isLocalUrl(src) ? <img className="ck-w-image" src={src} alt={str(node.alt)} /> : null
    }
    case 'Button':
      return (
        <button type="button" className="ck-button" disabled title="Widget actions are not available yet">
          {str(node.label)}
        </button>
      )
    case 'Input':
    case 'Textarea':
    case 'Select':
    case 'DatePicker':
      return <input className="ck-w-input" disabled aria-label={str(node.name)} placeholder={str(node.placeholder)} />
    default:
      return kids.length > 0 ? <div>{kids}</div> : null
  }
}

function WidgetView({ item }: { item: WidgetItem }): ReactElement {
  return (
    <div className="ck-widget" role="group" aria-label="Widget">
      <WidgetNode node={item.widget} />
    </div>
  )
}

function ImageView({ item, progress }: { item: GeneratedImageItem; progress?: number }): ReactElement {
  const url = item.image?.url
  if (!url) {
    return (
      <p className="ck-muted ck-image-pending" role="status">
        <Spinner /> Generating an image{progress !== undefined ? ` (${Math.round(progress * 100)}%)` : ''}…
      </p>
    )
  }
  return (
    <figure className="ck-image">
      {isLocalUrl(url) ? (
        <img src={url} alt="Generated image" />
      ) : (
        <a href={safeHttpUrl(url) ?? undefined} target="_blank" rel="noopener noreferrer nofollow">
          Open the generated image
        </a>
      )}
    </figure>
  )
}

function StructuredInputView({ item, ctx }: { item: StructuredInputItem; ctx: ItemContext }): ReactElement {
  const answerable = item.status === 'pending' && ctx.last && !ctx.responding
  if (item.status !== 'pending') {
    return (
      <section className="ck-questions" aria-label="Questions">
        {item.inputs.map((input) => (
          <div key={input.id} className="ck-question">
            <p className="ck-question-text">{input.question}</p>
            <p className="ck-answer">
              {input.answer && !input.answer.skipped && input.answer.values.length > 0 ? input.answer.values.join(', ') : 'Skipped'}
            </p>
          </div>
        ))}
      </section>
    )
  }
  const submit = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const answers: StructuredInputSubmission['answers'] = {}
    for (const input of item.inputs) {
      const values = form
        .getAll(input.id)
        .map((v) => (typeof v === 'string' ? v.trim() : ''))
        .filter((v) => v !== '')
      answers[input.id] = { values, skipped: values.length === 0 }
    }
    ctx.onSubmitAnswers(item.id, { status: 'answered', answers })
  }
  return (
    <form className="ck-questions" aria-label="Questions" onSubmit={submit}>
      {item.inputs.map((input) =>
        input.type === 'multiple_choice' ? (
          <fieldset key={input.id} className="ck-question">
            <legend className="ck-question-text">{input.question}</legend>
            {input.options.map((option) => (
              <label key={option.value} className="ck-choice">
                <input type={input.multiple ? 'checkbox' : 'radio'} name={input.id} value={option.value} disabled={!answerable} />
                {option.value}
              </label>
            ))}
          </fieldset>
        ) : (
          <label key={input.id} className="ck-question">
            <span className="ck-question-text">{input.question}</span>
            {input.description ? <span className="ck-muted">{input.description}</span> : null}
            <textarea name={input.id} rows={2} disabled={!answerable} />
          </label>
        ),
      )}
      <div className="ck-question-actions">
        <button type="submit" className="ck-button ck-primary" disabled={!answerable}>
          Submit answers
        </button>
        <button
          type="button"
          className="ck-button"
          disabled={!answerable}
          onClick={() => ctx.onSubmitAnswers(item.id, { status: 'skipped', answers: {} })}
        >
          Skip
        </button>
      </div>
    </form>
  )
}
