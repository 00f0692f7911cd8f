// Server-sent events over a fetch body: an incremental parser for the `text/event-stream` format
// (WHATWG HTML, "Parsing an event stream") and a reader that yields each event's data.
// ChatKit servers send one `data: <json>` line per event, but the parser accepts anything the
// format allows: CRLF or CR line ends, several `data:` lines per event, comments (heartbeats),
// other fields (ignored), and chunks split anywhere, even inside a line end or a character.

/** Splits decoded text into events; `push` returns the data of each event completed so far. */
export class SseParser {
  private buffer = ''
  private data: string[] = []
  private hasData = false

  /** Feeds the next piece of decoded text; returns the data of every event it completed. */
  push(text: string): string[] {
    this.buffer += text
    const events: string[] = []
    let start = 0
    for (;;) {
      const lf = this.buffer.indexOf('\n', start)
      const cr = this.buffer.indexOf('\r', start)
      let end: number
      let next: number
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // A CR at the very end may be the first half of a CRLF: wait for the next piece.
        if (cr === this.buffer.length - 1) break
        end = cr
        next = this.buffer[cr + 1] === '\n' ? cr + 2 : cr + 1
      } else if (lf !== -1) {
        end = lf
        next = lf + 1
      } else {
        break
      }
      const event = this.line(this.buffer.slice(start, end))
      if (event !== null) events.push(event)
      start = next
    }
    this.buffer = this.buffer.slice(start)
    return events
  }

  /**
   * The stream ended: a CR held back (in case an LF followed) ends its line now. An event not yet
   * closed by a blank line is discarded, as the format says: a cut connection must not deliver
   * half an event.
   */
  end(): string[] {
    const events = this.buffer.endsWith('\r') ? this.push('\n') : []
    this.buffer = ''
    this.data = []
    this.hasData = false
    return events
  }

  private line(line: string): string | null {
    if (line === '') {
      if (!this.hasData) return null
      const event = this.data.join('\n')
      this.data = []
      this.hasData = false
      return event
    }
    if (line.startsWith(':')) return null
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') {
      this.data.push(value)
      this.hasData = true
    }
    return null
  }
}

/** Reads a response body as server-sent events and yields each event's data, in order. */
export async function* readSseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const parser = new SseParser()
  let finished = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      yield* parser.push(decoder.decode(value, { stream: true }))
    }
    finished = true
    yield* parser.push(decoder.decode())
    yield* parser.end()
  } finally {
    // A consumer that stops early (or a failed read) must not leave the connection open.
    if (!finished) await reader.cancel().catch(() => undefined)
    reader.releaseLock()
  }
}
