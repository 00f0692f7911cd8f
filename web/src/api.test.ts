import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, fetchStatus, mintSession, parseAgents, parseErrorEnvelope, parseStatus } from './api'

const demoStatus = {
  name: 'chatkit-rs',
  version: '0.1.0',
  demo: true,
  upstream: 'simulator',
  hosted: {
    configured: true,
    missing: null,
    default_workflow: 'wf_demo',
    workflows: ['wf_demo'],
    byo_key: true,
    uploads: { enabled: true, max_files: 5, max_file_size_mb: 10 },
  },
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  })
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('parseErrorEnvelope', () => {
  it('reads the code and message of the error envelope', () => {
    const err = parseErrorEnvelope(429, '{"error":{"code":"rate_limited","message":"Too many requests"}}')
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(429)
    expect(err.code).toBe('rate_limited')
    expect(err.message).toBe('Too many requests')
  })

  it('falls back to a generic code for a body that is not an envelope, without echoing it', () => {
    const err = parseErrorEnvelope(502, '<html><body>Bad gateway</body></html>')
    expect(err.code).toBe('http_502')
    expect(err.message).not.toContain('<html>')
    expect(parseErrorEnvelope(500, '{"detail":"x"}').code).toBe('http_500')
    expect(parseErrorEnvelope(500, '').code).toBe('http_500')
  })

  it('supplies a message when the envelope has none', () => {
    const err = parseErrorEnvelope(403, '{"error":{"code":"forbidden"}}')
    expect(err.code).toBe('forbidden')
    expect(err.message).toBe('HTTP 403')
  })
})

describe('parseStatus', () => {
  it('accepts the documented shape', () => {
    expect(parseStatus(demoStatus)).toEqual(demoStatus)
  })

  it('accepts an unconfigured hosted mode', () => {
    const status = {
      ...demoStatus,
      demo: false,
      upstream: 'openai',
      hosted: { ...demoStatus.hosted, configured: false, missing: 'OPENAI_API_KEY', default_workflow: null },
    }
    expect(parseStatus(status).hosted.missing).toBe('OPENAI_API_KEY')
  })

  it('rejects a body of another shape', () => {
    expect(() => parseStatus({ ...demoStatus, upstream: 'elsewhere' })).toThrow(ApiError)
    expect(() => parseStatus({ ...demoStatus, hosted: { ...demoStatus.hosted, workflows: [1] } })).toThrow(
      /workflows/,
    )
    expect(() => parseStatus('ok')).toThrow(ApiError)
  })
})

describe('fetchStatus', () => {
  it('gets /api/status from our origin', async () => {
    const fetchMock = vi.fn(async () => jsonResponse(200, demoStatus))
    vi.stubGlobal('fetch', fetchMock)
    await expect(fetchStatus()).resolves.toEqual(demoStatus)
    expect(fetchMock).toHaveBeenCalledWith('/api/status', expect.objectContaining({ credentials: 'same-origin' }))
  })

  it('turns a network failure into a network_error', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('fetch failed'))))
    await expect(fetchStatus()).rejects.toMatchObject({ status: 0, code: 'network_error' })
  })
})

describe('mintSession', () => {
  it('posts an empty JSON object with same-origin credentials', async () => {
    const fetchMock = vi.fn(async (_path: string, _init?: RequestInit) =>
      jsonResponse(200, { session_id: 'cksess_1', client_secret: 'ek_secret_value', expires_at: 1_767_225_600 }),
    )
    vi.stubGlobal('fetch', fetchMock)

    const session = await mintSession()

    expect(session.session_id).toBe('cksess_1')
    const [path, init] = fetchMock.mock.calls[0] ?? []
    expect(path).toBe('/api/chatkit/session')
    expect(init?.method).toBe('POST')
    expect(init?.body).toBe('{}')
    expect(init?.credentials).toBe('same-origin')
    expect(init?.headers).toMatchObject({ 'content-type': 'application/json' })
  })

  it('rejects with the code and message of the error envelope', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse(503, { error: { code: 'hosted_not_configured', message: 'OPENAI_API_KEY is not set' } }),
      ),
    )
    await expect(mintSession()).rejects.toMatchObject({
      status: 503,
      code: 'hosted_not_configured',
      message: 'OPENAI_API_KEY is not set',
    })
  })
})

describe('parseAgents', () => {
  const agent = {
    id: 'assistant',
    name: 'Assistant',
    description: 'A general assistant.',
    default: true,
    url: '/chatkit/assistant',
    models: ['gpt-5-mini', 'gpt-5'],
    tools: [{ id: 'get_page_info', kind: 'client', description: 'Page info' }],
    greeting: 'Hi!',
    prompts: [{ label: 'Explain', prompt: 'Explain it.' }],
    transcription: true,
  }

  it('reads the agents the server offers', () => {
    const list = parseAgents({ data: [agent, { ...agent, id: 'local', default: false, description: null, greeting: null }], demo: true })
    expect(list.demo).toBe(true)
    expect(list.data[0]).toEqual(agent)
    expect(list.data[1]).toMatchObject({ id: 'local', default: false, description: undefined, greeting: undefined })
  })

  it('refuses an agent whose endpoint is on another origin', () => {
    expect(() => parseAgents({ data: [{ ...agent, url: 'https://elsewhere.example/chatkit' }], demo: false })).toThrow(ApiError)
  })

  it('refuses a body without a list', () => {
    expect(() => parseAgents({ agents: [] })).toThrow('agents is not a list')
  })
})
