// Pure formatting helpers (no DOM, no React), unit-tested in format.test.ts.

/**
 * Masks a client secret for display: its first 6 characters and an ellipsis. A short value shows at
 * most half of itself, so the mask never reveals a whole secret.
 */
export function maskSecret(secret: string): string {
  const shown = Math.min(6, Math.floor(secret.length / 2))
  return `${secret.slice(0, shown)}\u2026`
}

/**
 * Converts an `expires_at` value to a Date: a number is Unix seconds (as the OpenAI sessions API
 * returns it), a string is an RFC 3339 timestamp. Returns null for anything unusable.
 */
export function parseExpiresAt(value: number | string): Date | null {
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value)
  return Number.isFinite(date.getTime()) ? date : null
}

const pad2 = (n: number): string => String(n).padStart(2, '0')

/**
 * Formats the time left until a deadline: `45s`, `9m 05s`, `1h 02m 03s`, or `expired` once the
 * remaining time is zero or less. Partial seconds round up, so `1s` shows until the very end.
 */
export function formatCountdown(remainingMs: number): string {
  if (!(remainingMs > 0)) return 'expired'
  const total = Math.ceil(remainingMs / 1000)
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = total % 60
  if (hours > 0) return `${hours}h ${pad2(minutes)}m ${pad2(seconds)}s`
  if (minutes > 0) return `${minutes}m ${pad2(seconds)}s`
  return `${seconds}s`
}

/** Formats a size limit in megabytes: `10 MB`, `0.5 MB`. */
export function formatMegabytes(mb: number): string {
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`
}

/** Human label for the upstream the server talks to. */
export function upstreamLabel(upstream: string): string {
  switch (upstream) {
    case 'simulator':
      return 'Built-in simulator'
    case 'openai':
      return 'OpenAI'
    case 'custom':
      return 'Custom (OpenAI-compatible)'
    default:
      return upstream
  }
}
