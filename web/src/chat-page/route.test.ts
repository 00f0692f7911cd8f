import { describe, expect, it } from 'vitest'
import { chatPath, parseChatRoute } from './route'

describe('chat page routes', () => {
  it('reads the agent and the thread from the address', () => {
    expect(parseChatRoute('/chat', '')).toEqual({ agentId: null, threadId: null })
    expect(parseChatRoute('/chat/', '')).toEqual({ agentId: null, threadId: null })
    expect(parseChatRoute('/chat/showcase', '?thread=thr_1')).toEqual({ agentId: 'showcase', threadId: 'thr_1' })
    expect(parseChatRoute('/chat/a%20b', '?thread=')).toEqual({ agentId: 'a b', threadId: null })
  })

  it('writes addresses it can read back', () => {
    expect(chatPath('assistant', null)).toBe('/chat/assistant')
    const path = chatPath('my agent', 'thr_1')
    const url = new URL(path, 'http://x')
    expect(parseChatRoute(url.pathname, url.search)).toEqual({ agentId: 'my agent', threadId: 'thr_1' })
  })
})
