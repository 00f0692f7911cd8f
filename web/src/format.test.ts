import { describe, expect, it } from 'vitest'
import { formatCountdown, formatMegabytes, maskSecret, parseExpiresAt, upstreamLabel } from './format'

describe('maskSecret', () => {
  it('keeps the first six characters of a real secret and adds an ellipsis', () => {
    expect(maskSecret('ek_68f1c2d3e4f5a6b7c8d9_secret')).toBe('ek_68f\u2026')
  })

  it('never reveals more than half of a short value', () => {
    expect(maskSecret('abcdef')).toBe('abc\u2026')
    expect(maskSecret('ab')).toBe('a\u2026')
    expect(maskSecret('a')).toBe('\u2026')
    expect(maskSecret('')).toBe('\u2026')
  })
})

describe('formatCountdown', () => {
  it('shows seconds under a minute, rounding partial seconds up', () => {
    expect(formatCountdown(45_000)).toBe('45s')
    expect(formatCountdown(1)).toBe('1s')
    expect(formatCountdown(59_001)).toBe('1m 00s')
  })

  it('shows minutes with padded seconds', () => {
    expect(formatCountdown(9 * 60_000 + 5_000)).toBe('9m 05s')
    expect(formatCountdown(10 * 60_000)).toBe('10m 00s')
  })

  it('shows hours with padded minutes and seconds', () => {
    expect(formatCountdown(3_723_000)).toBe('1h 02m 03s')
  })

  it('says expired at zero, below zero and for non-numbers', () => {
    expect(formatCountdown(0)).toBe('expired')
    expect(formatCountdown(-5_000)).toBe('expired')
    expect(formatCountdown(Number.NaN)).toBe('expired')
  })
})

describe('parseExpiresAt', () => {
  it('reads a number as Unix seconds', () => {
    expect(parseExpiresAt(1_767_225_600)?.toISOString()).toBe('2026-01-01T00:00:00.000Z')
  })

  it('reads an RFC 3339 string', () => {
    expect(parseExpiresAt('2026-01-01T00:10:00Z')?.toISOString()).toBe('2026-01-01T00:10:00.000Z')
  })

  it('returns null for an unusable value', () => {
    expect(parseExpiresAt('soon')).toBeNull()
    expect(parseExpiresAt(Number.POSITIVE_INFINITY)).toBeNull()
  })
})

describe('formatMegabytes and upstreamLabel', () => {
  it('formats sizes', () => {
    expect(formatMegabytes(10)).toBe('10 MB')
    expect(formatMegabytes(0.5)).toBe('0.5 MB')
  })

  it('names the upstreams', () => {
    expect(upstreamLabel('simulator')).toBe('Built-in simulator')
    expect(upstreamLabel('openai')).toBe('OpenAI')
    expect(upstreamLabel('custom')).toBe('Custom (OpenAI-compatible)')
  })
})
