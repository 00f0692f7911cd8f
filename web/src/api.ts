// Typed fetch helpers for the chatkit-rs HTTP API. Every request goes to our own origin.

/** Which model server the instance talks to. */
export type Upstream = 'simulator' | 'openai' | 'custom'

/** Upload limits of hosted mode. */
export interface UploadLimits {
  enabled: boolean
  max_files: number
  max_file_size_mb: number
}

/** Hosted mode (client secrets for an Agent Builder workflow). */
export interface HostedStatus {
  configured: boolean
  /** The name of the missing setting when hosted mode is not configured, e.g. `OPENAI_API_KEY`. */
  missing: string | null
  default_workflow: string | null
  workflows: string[]
  byo_key: boolean
  uploads: UploadLimits
}

/** `GET /api/status`. */
export interface ServerStatus {
  name: string
  version: string
  demo: boolean
  upstream: Upstream
  hosted: HostedStatus
}

/** `POST /api/chatkit/session`, as the server returns it. */
export interface SessionResponse {
  session_id: string
  client_secret: string
  /** Unix seconds (as OpenAI returns it); an RFC 3339 string is accepted too. */
  expires_at: number | string
}

/** The error envelope every API error uses: `{"error":{"code":"...","message":"..."}}`. */
export interface ErrorEnvelope {
  error: { code: string; message: string }
}

/** An API call that failed: an HTTP error, a network failure or an unexpected body. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string

  /** `status` is the HTTP status, or 0 when no response arrived. */
  constructor(status: number, code: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Turns a failed response's status and body text into an `ApiError`. Uses the JSON error envelope
 * when the body is one; otherwise falls back to a generic code and never echoes the raw body
 * (a proxy's HTML error page is no use to the reader).
 */
export function parseErrorEnvelope(status: number, body: string): ApiError {
  try {
    const parsed: unknown = JSON.parse(body)
    if (isRecord(parsed) && isRecord(parsed.error)) {
      const { code, message } = parsed.error
      if (typeof code === 'string' && code !== '') {
        return new ApiError(
          status,
          code,
          typeof message === 'string' && message !== '' ? message : `HTTP ${status}`,
        )
      }
    }
  } catch {
    // Not JSON: fall through to the generic error.
  }
  return new ApiError(status, `http_${status}`, `The server answered HTTP ${status} without an error description.`)
}

function fail(what: string): never {
  throw new ApiError(200, 'bad_response', `Unexpected response from the server: ${what}.`)
}

/** Checks that a `GET /api/status` body has the expected shape. */
export function parseStatus(json: unknown): ServerStatus {
  if (!isRecord(json)) fail('status is not an object')
  const { name, version, demo, upstream, hosted } = json
  if (typeof name !== 'string' || typeof version !== 'string') fail('missing name or version')
  if (typeof demo !== 'boolean') fail('missing demo flag')
  if (upstream !== 'simulator' && upstream !== 'openai' && upstream !== 'custom') fail('unknown upstream')
  if (!isRecord(hosted)) fail('missing hosted section')
  const { configured, missing, default_workflow, workflows, byo_key, uploads } = hosted
  if (typeof configured !== 'boolean') fail('missing hosted.configured')
  if (missing !== null && typeof missing !== 'string') fail('bad hosted.missing')
  if (default_workflow !== null && typeof default_workflow !== 'string') fail('bad hosted.default_workflow')
  if (!Array.isArray(workflows) || !workflows.every((w) => typeof w === 'string')) fail('bad hosted.workflows')
  if (typeof byo_key !== 'boolean') fail('missing hosted.byo_key')
  if (
    !isRecord(uploads) ||
    typeof uploads.enabled !== 'boolean' ||
    typeof uploads.max_files !== 'number' ||
    typeof uploads.max_file_size_mb !== 'number'
  ) {
    fail('bad hosted.uploads')
  }
  return {
    name,
    version,
    demo,
    upstream,
    hosted: {
      configured,
      missing,
      default_workflow,
      workflows: workflows as string[],
      byo_key,
      uploads: {
        enabled: uploads.enabled,
        max_files: uploads.max_files,
        max_file_size_mb: uploads.max_file_size_mb,
      },
    },
  }
}

/** Checks that a `POST /api/chatkit/session` body has the expected shape. */
export function parseSession(json: unknown): SessionResponse {
  if (!isRecord(json)) fail('session is not an object')
  const { session_id, client_secret, expires_at } = json
  if (typeof session_id !== 'string') fail('missing session_id')
  if (typeof client_secret !== 'string') fail('missing client_secret')
  if (typeof expires_at !== 'number' && typeof expires_at !== 'string') fail('missing expires_at')
  return { session_id, client_secret, expires_at }
}

/** Fetches a same-origin JSON endpoint; any failure becomes an `ApiError`. */
async function requestJson(path: string, init: RequestInit = {}): Promise<unknown> {
  let response: Response
  try {
    response = await fetch(path, {
      ...init,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...init.headers },
    })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new ApiError(0, 'network_error', 'Could not reach the server.')
  }
  const body = await response.text()
  if (!response.ok) throw parseErrorEnvelope(response.status, body)
  try {
    return JSON.parse(body) as unknown
  } catch {
    throw new ApiError(response.status, 'bad_response', 'The server did not answer with JSON.')
  }
}

/** `GET /api/status`. */
export async function fetchStatus(signal?: AbortSignal): Promise<ServerStatus> {
  return parseStatus(await requestJson('/api/status', { signal }))
}

/** `POST /api/chatkit/session` with an empty body: mints a client secret for the default workflow. */
export async function mintSession(signal?: AbortSignal): Promise<SessionResponse> {
  const json = await requestJson('/api/chatkit/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    signal,
  })
  return parseSession(json)
}

/** A tool an agent offers, as `GET /api/agents` describes it. */
export interface AgentTool {
  id: string
  kind: string
  description?: string
}

/** A suggested prompt of an agent's start screen. */
export interface AgentPrompt {
  label: string
  prompt: string
}

/** One agent of `GET /api/agents`. */
export interface AgentInfo {
  id: string
  name: string
  description?: string
  default: boolean
  /** The protocol endpoint, e.g. `/chatkit/assistant`. */
  url: string
  models: string[]
  tools: AgentTool[]
  greeting?: string
  prompts: AgentPrompt[]
  transcription: boolean
}

/** `GET /api/agents`. */
export interface AgentList {
  data: AgentInfo[]
  demo: boolean
}

const optionalString = (value: unknown): value is string | undefined | null =>
  value === undefined || value === null || typeof value === 'string'

/** Checks that a `GET /api/agents` body has the expected shape. */
export function parseAgents(json: unknown): AgentList {
  if (!isRecord(json) || !Array.isArray(json.data)) fail('agents is not a list')
  if (typeof json.demo !== 'boolean') fail('missing demo flag')
  const data = json.data.map((raw: unknown): AgentInfo => {
    if (!isRecord(raw)) fail('an agent is not an object')
    const { id, name, description, url, models, tools, greeting, prompts, transcription } = raw
    if (typeof id !== 'string' || typeof name !== 'string' || typeof url !== 'string') fail('an agent lacks id, name or url')
    if (!url.startsWith('/')) fail(`agent ${id} has an endpoint off this origin`)
    if (!optionalString(description) || !optionalString(greeting)) fail(`agent ${id} has a bad description or greeting`)
    if (!Array.isArray(models) || !models.every((m) => typeof m === 'string')) fail(`agent ${id} has bad models`)
    if (!Array.isArray(tools) || !Array.isArray(prompts)) fail(`agent ${id} has bad tools or prompts`)
    return {
      id,
      name,
      description: description ?? undefined,
      default: raw.default === true,
      url,
      models: models as string[],
      tools: tools.filter(isRecord).map((t) => ({
        id: String(t.id),
        kind: String(t.kind),
        description: typeof t.description === 'string' ? t.description : undefined,
      })),
      greeting: greeting ?? undefined,
      prompts: prompts
        .filter(isRecord)
        .filter((p) => typeof p.prompt === 'string')
        .map((p) => ({ label: typeof p.label === 'string' ? p.label : String(p.prompt), prompt: String(p.prompt) })),
      transcription: transcription === true,
    }
  })
  return { data, demo: json.demo }
}

/** `GET /api/agents`. */
export async function fetchAgents(signal?: AbortSignal): Promise<AgentList> {
  return parseAgents(await requestJson('/api/agents', { signal }))
}
