// <chatkit-rs-chat>: the chat as a custom element, for any page with one <script> and one tag.
//
//   <script src="/chatkit-rs.js"></script>
//   <chatkit-rs-chat api-url="/chatkit/assistant" style="height: 600px"></chatkit-rs-chat>
//
// or, with every option (named like the official <openai-chatkit>'s):
//
//   document.querySelector('chatkit-rs-chat').setOptions({
//     api: { url: '/chatkit/assistant' },
//     theme: 'dark',
//     startScreen: { greeting: 'Hi!', prompts: [{ label: 'Hello', prompt: 'Say hello' }] },
//     composer: { placeholder: 'Ask anything' },
//     onClientTool: async ({ name, params }) => ({ title: document.title }),
//   })
//
// It renders into an open shadow root with its own styles, and reports what happens as
// `chatkit.*` events (response start/end, thread change, error, effect, log).
import { StrictMode } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import css from './chat.css?inline'
import { ChatApp, type ChatAppHandle } from './components/ChatApp'
import { ChatController, type ChatEventName, type OutgoingMessage } from './controller'
import type { ChatKitRsOptions, ColorScheme } from './options'

/** The element's tag name. */
export const TAG = 'chatkit-rs-chat'

let sharedSheet: CSSStyleSheet | null = null

function adoptStyles(shadow: ShadowRoot): void {
  if ('adoptedStyleSheets' in shadow && typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
    if (!sharedSheet) {
      sharedSheet = new CSSStyleSheet()
      sharedSheet.replaceSync(css)
    }
    if (!shadow.adoptedStyleSheets.includes(sharedSheet)) shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sharedSheet]
    return
  }
  if (!shadow.querySelector('style[data-chatkit-rs]')) {
    const style = document.createElement('style')
    style.dataset.chatkitRs = ''
    style.textContent = css
    shadow.prepend(style)
  }
}

/** The custom element. */
export class ChatKitRsChatElement extends HTMLElement {
  static observedAttributes = ['api-url', 'theme', 'thread']

  #options: ChatKitRsOptions | null = null
  #controller: ChatController | null = null
  #root: Root | null = null
  #handle: ChatAppHandle = { composer: null }

  /** Sets every option at once (as the official element's `setOptions`). */
  setOptions(options: ChatKitRsOptions): void {
    this.#options = options
    this.#sync()
  }

  /** Opens a thread, or a new one with `null`. */
  async setThreadId(threadId: string | null): Promise<void> {
    const controller = this.#controller
    if (!controller) return
    if (threadId) await controller.openThread(threadId)
    else controller.newThread()
  }

  /** Sends a message as if the user typed it. */
  async sendUserMessage(message: OutgoingMessage): Promise<void> {
    await this.#controller?.sendUserMessage(message)
  }

  /** Puts text in the composer. */
  async setComposerValue({ text }: { text: string }): Promise<void> {
    this.#handle.composer?.setValue(text)
  }

  /** Moves the focus to the composer. */
  async focusComposer(): Promise<void> {
    this.#handle.composer?.focus()
  }

  /** Reloads the open thread and the history from the server. */
  async fetchUpdates(): Promise<void> {
    await Promise.all([this.#controller?.fetchUpdates(), this.#controller?.refreshHistory()])
  }

  connectedCallback(): void {
    const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' })
    adoptStyles(shadow)
    if (!this.#root) {
      const mount = document.createElement('div')
      mount.className = 'ck-mount'
      shadow.append(mount)
      this.#root = createRoot(mount)
    }
    this.#sync()
  }

  disconnectedCallback(): void {
    // A moved element is disconnected and connected again at once: only tear down if it stays out.
    queueMicrotask(() => {
      if (this.isConnected) return
      this.#controller?.destroy()
      this.#controller = null
      this.#root?.unmount()
      this.#root = null
      this.shadowRoot?.querySelector('.ck-mount')?.remove()
    })
  }

  attributeChangedCallback(): void {
    this.#sync()
  }

  /** The options in force: those set in script, with the attributes filling gaps. */
  #effective(): ChatKitRsOptions | null {
    const url = this.#options?.api.url ?? this.getAttribute('api-url')
    if (!url) return null
    const attrTheme = this.getAttribute('theme')
    const theme: ChatKitRsOptions['theme'] =
      this.#options?.theme ?? (attrTheme === 'light' || attrTheme === 'dark' ? (attrTheme as ColorScheme) : undefined)
    const thread = this.getAttribute('thread')
    return {
      ...this.#options,
      api: { ...this.#options?.api, url },
      theme,
      initialThread: this.#options?.initialThread !== undefined ? this.#options.initialThread : thread,
    }
  }

  #emit = (name: ChatEventName, detail: Record<string, unknown>): void => {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }))
  }

  #sync(): void {
    if (!this.#root) return
    const options = this.#effective()
    if (!options) return
    if (!this.#controller) {
      this.#controller = new ChatController(options, this.#emit)
      this.#root.render(
        <StrictMode>
          <ChatApp controller={this.#controller} handle={this.#handle} />
        </StrictMode>,
      )
      this.#controller.start()
    } else {
      this.#controller.setOptions(options)
    }
  }
}

if (typeof customElements !== 'undefined' && !customElements.get(TAG)) {
  customElements.define(TAG, ChatKitRsChatElement)
}

declare global {
  interface HTMLElementTagNameMap {
    'chatkit-rs-chat': ChatKitRsChatElement
  }
}
