// Things the server says besides the reply: errors with a retry, notices, progress, questions.
import { expect, shot, test } from './fixtures'

test('an upstream error is shown with a retry that works', async ({ chat, page }) => {
  await chat.open('/chat/assistant')
  // The simulator fails every other [[flaky]] request (the server's own retries are off in
  // these tests). This test is the only one that uses the marker; if the shared counter is on an
  // even count, the first message succeeds and the next one fails.
  const message = 'Try the flaky service [[flaky]]'
  for (let attempt = 0; attempt < 2 && (await chat.error.count()) === 0; attempt++) {
    await chat.send(message)
    await chat.idle()
  }
  await expect(chat.error).toBeVisible()
  await expect(chat.error).toHaveRole('alert')
  await expect(chat.error).toContainText('The model service failed to answer. Try again.')
  const replies = await chat.assistantMessages.count()
  await shot(page, 'chat-error')

  await chat.error.getByRole('button', { name: 'Try again' }).click()
  await expect(chat.error).toHaveCount(0)
  await expect(chat.assistantMessages).toHaveCount(replies + 1)
  await expect(chat.lastAssistant).toContainText('Simulated reply to: Try the flaky service')
})

test('a notice is shown and can be dismissed', async ({ chat, page }) => {
  await chat.open('/chat/showcase')
  await chat.root.getByRole('button', { name: 'Show a notice' }).click()
  const notice = chat.root.locator('.ck-notice')
  await expect(notice).toContainText('Showcase')
  await expect(notice).toContainText('This is a notice: a short message outside the conversation.')
  await chat.idle()
  await shot(page, 'chat-notice')
  await notice.getByRole('button', { name: 'Dismiss notice' }).click()
  await expect(notice).toHaveCount(0)
})

test('progress updates show while the reply works, then go', async ({ chat }) => {
  await chat.open('/chat/showcase')
  await chat.root.getByRole('button', { name: 'Show progress' }).click()
  const progress = chat.root.locator('.ck-progress')
  await expect(progress).toHaveText('Gathering data…')
  await expect(progress).toHaveText('Crunching numbers…')
  await expect(progress).toHaveText('Almost there…')
  await chat.idle()
  await expect(progress).toHaveCount(0)
})

test('a workflow shows its tasks completing', async ({ chat, page }) => {
  await chat.open('/chat/showcase')
  await chat.root.getByRole('button', { name: 'Show a workflow' }).click()
  await chat.idle()
  const workflow = chat.root.locator('details.ck-workflow')
  await workflow.locator('summary').click()
  for (const task of ['Read the request', 'Look things up', 'Draft the answer']) await expect(workflow).toContainText(task)
  await expect(workflow.locator('.ck-task[data-status="complete"]')).toHaveCount(3)
  await shot(page, 'chat-workflow')
})

test('questions can be answered and the reply goes on', async ({ chat, page }) => {
  await chat.open('/chat/showcase')
  await chat.root.getByRole('button', { name: 'Ask me questions' }).click()
  const form = chat.root.getByRole('form', { name: 'Questions' })
  await expect(form).toContainText('Which color do you like best?')
  await chat.idle()
  await form.getByRole('radio', { name: 'Green' }).check()
  await form.getByRole('textbox', { name: /Why that one/ }).fill('It is calm.')
  await shot(page, 'chat-questions')
  await form.getByRole('button', { name: 'Submit answers' }).click()
  const answered = chat.root.getByRole('region', { name: 'Questions' })
  await expect(answered).toContainText('Green')
  await expect(answered).toContainText('It is calm.')
  await chat.idle()
})

test('a generated image is shown, from the reply itself (no other host)', async ({ chat }) => {
  await chat.open('/chat/showcase')
  await chat.root.getByRole('button', { name: 'Show an image' }).click()
  const image = chat.root.getByRole('img', { name: 'Generated image' })
  await expect(image).toBeVisible()
  await expect(image).toHaveAttribute('src', /^data:image\/png;base64,/)
  expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(16)
  await chat.idle()
})
