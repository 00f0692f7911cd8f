import { describe, expect, it } from 'vitest'
import { readSseData, SseParser } from './sse'

function bodyOf(chunks: Array<string | Uint8Array>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk)
      controller.close()
    },
  })
}

async function collect(body: ReadableStream<Uint8Array>): Promise<string[]> {
  const out: string[] = []
  for await (const data of readSseData(body)) out.push(data)
  return out
}

describe('SseParser', () => {
  it('yields the data of each event as the server frames it', () => {
    const parser = new SseParser()
    expect(parser.push('data: {"a":1}\n\ndata: {"b":2}\n\n')).toEqual(['{"a":1}', '{"b":2}'])
  })

  it('keeps a partial event until the blank line that ends it arrives', () => {
    const parser = new SseParser()
    expect(parser.push('data: {"type":"thr')).toEqual([])
    expect(parser.push('ead.created"}\n')).toEqual([])
    expect(parser.push('\n')).toEqual(['{"type":"thread.created"}'])
  })

  it('accepts CRLF and lone CR line ends, even when a CRLF is split between chunks', () => {
    const parser = new SseParser()
    expect(parser.push('data: one\r')).toEqual([])
    expect(parser.push('\n\r\ndata: two\r\r')).toEqual(['one'])
    // The last CR may still be half of a CRLF; the end of the stream settles it.
    expect(parser.end()).toEqual(['two'])
  })

  it('joins several data lines with newlines and ignores comments and other fields', () => {
    const parser = new SseParser()
    expect(parser.push(': heartbeat\n\nevent: message\nid: 7\ndata: first\ndata:second\nretry: 10\n\n')).toEqual([
      'first\nsecond',
    ])
  })

  it('skips events without data', () => {
    const parser = new SseParser()
    expect(parser.push('event: ping\n\n\n\ndata: x\n\n')).toEqual(['x'])
  })

  it('drops an event cut off by the end of the stream', () => {
    const parser = new SseParser()
    expect(parser.push('data: complete\n\ndata: cut')).toEqual(['complete'])
    expect(parser.end()).toEqual([])
  })
})

describe('readSseData', () => {
  it('decodes a character split across chunks', async () => {
    const bytes = new TextEncoder().encode('data: {"delta":"café ✓"}\n\n')
    const cut = bytes.indexOf(0xc3) + 1 // inside the two bytes of "é"
    expect(await collect(bodyOf([bytes.slice(0, cut), bytes.slice(cut)]))).toEqual(['{"delta":"café ✓"}'])
  })

  it('reads every event of a body delivered one byte at a time', async () => {
    const text = 'data: {"n":1}\n\ndata: {"n":2}\n\n'
    const chunks = [...new TextEncoder().encode(text)].map((b) => new Uint8Array([b]))
    expect(await collect(bodyOf(chunks))).toEqual(['{"n":1}', '{"n":2}'])
  })

  it('cancels the body when the reader stops early', async () => {
    let cancelled = false
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: x\n\n'))
      },
      cancel() {
        cancelled = true
      },
    })
    for await (const data of readSseData(body)) {
      expect(data).toBe('x')
      break
    }
    expect(cancelled).toBe(true)
  })
})
