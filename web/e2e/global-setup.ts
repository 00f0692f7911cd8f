// Starts the real `chatkit` binary in demo mode (the built-in OpenAI simulator) on a free port
// with a fresh data directory, for every test file; stops it afterwards.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

function binary(): string {
  if (process.env.CHATKIT_BIN) return resolve(process.env.CHATKIT_BIN)
  const target = process.env.CARGO_TARGET_DIR ?? process.env.CHATKIT_TARGET_DIR ?? resolve(import.meta.dirname, '../../target')
  return join(resolve(target), 'debug', 'chatkit')
}

function waitForUrl(child: ChildProcess, log: string[]): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`chatkit did not start in time:\n${log.join('')}`)), 20_000)
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString()
      log.push(text)
      // eslint-disable-next-line no-control-regex
      const plain = log.join('').replace(/\u001b\[[0-9;]*m/g, '')
      const match = /listening url=(http:\/\/[^\s]+)/.exec(plain)
      if (match?.[1]) {
        clearTimeout(timer)
        resolveUrl(match[1])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`chatkit exited with ${code} before listening:\n${log.join('')}`))
    })
  })
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const bin = binary()
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build it first (cargo build -p chatkit) or set CHATKIT_BIN.`)
  const dataDir = mkdtempSync(join(tmpdir(), 'chatkit-e2e-'))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CHATKIT_DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    // The error test needs the simulator's [[flaky]] failure to reach the page, not be retried away.
    CHATKIT_UPSTREAM_MAX_RETRIES: '0',
    RUST_LOG: 'info',
    NO_COLOR: '1',
  }
  for (const key of ['DATABASE_URL', 'OPENAI_API_KEY', 'CHATKIT_AGENTS', 'CHATKIT_CONFIG']) delete env[key]
  // Run in the data directory, so no chatkit.toml or .env of the checkout is read.
  const child = spawn(bin, ['serve', '--demo'], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const log: string[] = []
  const url = await waitForUrl(child, log)
  process.env.CHATKIT_E2E_URL = url
  return async () => {
    child.kill('SIGTERM')
    await new Promise((done) => {
      if (child.exitCode !== null) done(null)
      else child.once('exit', done)
    })
    rmSync(dataDir, { recursive: true, force: true })
  }
}
