// The chat page's address: `/chat` (the default agent), `/chat/<agent>`, and `?thread=<id>` for
// the open conversation, so a reload (or a shared link, for the same visitor) reopens it.

/** What the address names. */
export interface ChatRoute {
  agentId: string | null
  threadId: string | null
}

/** Reads a chat page address. */
export function parseChatRoute(pathname: string, search: string): ChatRoute {
  const match = /^\/chat(?:\/([^/]+))?\/?$/.exec(pathname)
  let agentId: string | null = null
  if (match?.[1]) {
    try {
      agentId = decodeURIComponent(match[1])
    } catch {
      agentId = null
    }
  }
  const threadId = new URLSearchParams(search).get('thread')
  return { agentId, threadId: threadId || null }
}

/** Writes a chat page address. */
export function chatPath(agentId: string, threadId: string | null): string {
  const path = `/chat/${encodeURIComponent(agentId)}`
  return threadId ? `${path}?${new URLSearchParams({ thread: threadId }).toString()}` : path
}
