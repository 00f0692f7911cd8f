// The standalone chat page (`/chat`): the agents this server offers (`GET /api/agents`) and a chat
// with the one picked, rendered by the <chatkit-rs-chat> element with the agent's start screen,
// models and client tools. A theme switch picks light, dark or the system's scheme.
import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react'
import { ApiError, fetchAgents, type AgentInfo, type AgentList } from '../api'
import '../chat/element'
import type { ChatKitRsChatElement } from '../chat/element'
import type { ClientToolCall, ColorScheme } from '../chat/options'
import { DemoBanner } from '../components/DemoBanner'
import { ErrorAlert } from '../components/ErrorAlert'
import { LogoIcon } from '../components/Icons'
import { chatPath, parseChatRoute, type ChatRoute } from './route'

type Load = { state: 'loading' } | { state: 'error'; error: ApiError } | { state: 'ready'; agents: AgentList }
type ThemeChoice = 'system' | ColorScheme

const THEME_KEY = 'chatkit-rs.theme'

function readTheme(): ThemeChoice {
  try {
    const saved = localStorage.getItem(THEME_KEY)
    return saved === 'light' || saved === 'dark' ? saved : 'system'
  } catch {
    return 'system'
  }
}

/** The client tools this page answers (the example agents declare them). */
export function pageClientTool({ name }: ClientToolCall): Record<string, unknown> {
  switch (name) {
    case 'get_page_info':
      return { title: document.title, url: location.href }
    default:
      throw new Error(`This page does not provide the tool "${name}".`)
  }
}

function currentRoute(): ChatRoute {
  return parseChatRoute(location.pathname, location.search)
}

export function ChatPage(): ReactElement {
  const [load, setLoad] = useState<Load>({ state: 'loading' })
  const [route, setRoute] = useState<ChatRoute>(currentRoute)
  const [theme, setTheme] = useState<ThemeChoice>(readTheme)

  const loadAgents = useCallback(() => {
    const controller = new AbortController()
    setLoad({ state: 'loading' })
    fetchAgents(controller.signal).then(
      (agents) => setLoad({ state: 'ready', agents }),
      (err: unknown) => {
        if (controller.signal.aborted) return
        setLoad({ state: 'error', error: err instanceof ApiError ? err : new ApiError(0, 'client_error', String(err)) })
      },
    )
    return controller
  }, [])

  useEffect(() => {
    const controller = loadAgents()
    return () => controller.abort()
  }, [loadAgents])

  useEffect(() => {
    const onPop = (): void => setRoute(currentRoute())
    window.addEventListener('popstate', onPop)
    return () => window.removeEventListener('popstate', onPop)
  }, [])

  useEffect(() => {
    if (theme === 'system') document.documentElement.removeAttribute('data-theme')
    else document.documentElement.setAttribute('data-theme', theme)
    try {
      localStorage.setItem(THEME_KEY, theme)
    } catch {
      // Storage may be off; the choice then lasts for this page only.
    }
  }, [theme])

  const agents = load.state === 'ready' ? load.agents.data : []
  const agent: AgentInfo | undefined =
    agents.find((a) => a.id === route.agentId) ?? (route.agentId === null ? (agents.find((a) => a.default) ?? agents[0]) : undefined)

  useEffect(() => {
    document.title = agent ? `${agent.name} · chatkit-rs` : 'Chat · chatkit-rs'
  }, [agent])

  const pickAgent = (next: AgentInfo): void => {
    history.pushState(null, '', chatPath(next.id, null))
    setRoute({ agentId: next.id, threadId: null })
  }

  const onThreadChange = useCallback(
    (threadId: string | null) => {
      if (!agent) return
      const path = chatPath(agent.id, threadId)
      if (path !== location.pathname + location.search) history.replaceState(null, '', path)
    },
    [agent],
  )

  return (
    <div className="chat-page">
      <a className="skip-link" href="#chat-main">
        Skip to the chat
      </a>
      <header className="app-header">
        <div className="header-row chat-header-row">
          <LogoIcon />
          <h1>chatkit-rs</h1>
          <nav className="chat-nav" aria-label="Pages">
            <a href="/">Server status</a>
          </nav>
          <label className="theme-switch">
            <span>Theme</span>
            <select value={theme} onChange={(e) => setTheme(e.target.value as ThemeChoice)}>
              <option value="system">System</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
        </div>
      </header>

      {load.state === 'ready' && load.agents.demo ? (
        <div className="chat-banner">
          <DemoBanner />
        </div>
      ) : null}

      <div className="chat-layout">
        <nav className="agent-list" aria-label="Agents">
          <h2>Agents</h2>
          {load.state === 'loading' ? (
            <p className="muted" role="status">
              Loading agents…
            </p>
          ) : null}
          {load.state === 'error' ? (
            <ErrorAlert error={load.error} title="Could not load the agents">
              <button type="button" className="button" onClick={() => loadAgents()}>
                Try again
              </button>
            </ErrorAlert>
          ) : null}
          <ul>
            {agents.map((a) => (
              <li key={a.id}>
                <a
                  href={chatPath(a.id, null)}
                  aria-current={a.id === agent?.id ? 'page' : undefined}
                  onClick={(e) => {
                    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return
                    e.preventDefault()
                    pickAgent(a)
                  }}
                >
                  <span className="agent-name">{a.name}</span>
                  {a.description ? <span className="agent-description">{a.description}</span> : null}
                </a>
              </li>
            ))}
          </ul>
        </nav>

        <main id="chat-main" className="chat-main" tabIndex={-1}>
          {load.state === 'ready' && !agent ? (
            <p className="muted" role="alert">
              There is no agent named “{route.agentId}”. Pick one from the list.
            </p>
          ) : null}
          {agent ? (
            <AgentChat
              key={agent.id}
              agent={agent}
              initialThread={route.agentId === agent.id || route.agentId === null ? route.threadId : null}
              theme={theme === 'system' ? undefined : theme}
              onThreadChange={onThreadChange}
            />
          ) : null}
        </main>
      </div>
    </div>
  )
}

function AgentChat({
  agent,
  initialThread,
  theme,
  onThreadChange,
}: {
  agent: AgentInfo
  initialThread: string | null
  theme: ColorScheme | undefined
  onThreadChange: (threadId: string | null) => void
}): ReactElement {
  const holder = useRef<HTMLDivElement>(null)
  const element = useRef<ChatKitRsChatElement | null>(null)
  const first = useRef(initialThread)
  const threadChange = useRef(onThreadChange)
  threadChange.current = onThreadChange

  useEffect(() => {
    const el = document.createElement('chatkit-rs-chat')
    el.className = 'chat-element'
    const onChange = (event: Event): void => {
      const detail = (event as CustomEvent<{ threadId: string | null }>).detail
      threadChange.current(detail.threadId)
    }
    el.addEventListener('chatkit.thread.change', onChange)
    holder.current?.append(el)
    element.current = el
    return () => {
      el.removeEventListener('chatkit.thread.change', onChange)
      el.remove()
      element.current = null
    }
  }, [])

  useEffect(() => {
    element.current?.setOptions({
      api: { url: agent.url },
      theme,
      initialThread: first.current,
      startScreen: { greeting: agent.greeting, prompts: agent.prompts.map((p) => ({ label: p.label, prompt: p.prompt })) },
      composer: {
        placeholder: `Message ${agent.name}`,
        models: agent.models.map((id, i) => ({ id, label: id, default: i === 0 })),
      },
      onClientTool: pageClientTool,
    })
  }, [agent, theme])

  return <div ref={holder} className="chat-holder" />
}
