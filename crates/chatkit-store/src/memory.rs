//! [`MemoryStore`]: the whole [`Store`] contract over maps behind one mutex, for tests and for
//! running without a database. Nothing survives the process.
//!
//! It mirrors the SQL backends exactly (the story test runs against all three): one insertion
//! sequence shared by threads and items orders every page, cursors are exclusive ids, an unknown
//! cursor is `NotFound`, and a thread is visible only to the identity and agent that created it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chatkit_types::{Attachment, FeedbackKind, Order, Page, ThreadItem, ThreadMetadata};

use crate::{FeedbackRecord, Store, StoreContext, StoreError, StoreResult, page_of};

/// An in-memory [`Store`]; cheap to create, shared behind an `Arc`.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// The last sequence number handed out (threads and items share it).
    seq: u64,
    threads: HashMap<String, ThreadRow>,
    attachments: HashMap<String, AttachmentRow>,
}

#[derive(Debug)]
struct ThreadRow {
    identity: String,
    agent: String,
    seq: u64,
    metadata: ThreadMetadata,
    /// Items by sequence number: iteration order is creation order.
    items: BTreeMap<u64, ThreadItem>,
    /// Item id to its sequence number.
    item_seq: HashMap<String, u64>,
    /// Feedback by (item id, identity).
    feedback: HashMap<(String, String), FeedbackKind>,
}

impl ThreadRow {
    fn owned_by(&self, ctx: &StoreContext) -> bool {
        self.identity == ctx.identity && self.agent == ctx.agent
    }
}

#[derive(Debug)]
struct AttachmentRow {
    identity: String,
    agent: String,
    attachment: Attachment,
}

impl Inner {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    fn thread(&self, thread_id: &str, ctx: &StoreContext) -> StoreResult<&ThreadRow> {
        self.threads
            .get(thread_id)
            .filter(|t| t.owned_by(ctx))
            .ok_or(StoreError::NotFound)
    }

    fn thread_mut(&mut self, thread_id: &str, ctx: &StoreContext) -> StoreResult<&mut ThreadRow> {
        self.threads
            .get_mut(thread_id)
            .filter(|t| t.owned_by(ctx))
            .ok_or(StoreError::NotFound)
    }

    fn attachment(&self, id: &str, ctx: &StoreContext) -> StoreResult<&AttachmentRow> {
        self.attachments
            .get(id)
            .filter(|a| a.identity == ctx.identity && a.agent == ctx.agent)
            .ok_or(StoreError::NotFound)
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock cannot leave the maps half-updated in a way
        // that matters more than losing the store, so keep serving.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn with_id<'a>((_, item): (&u64, &'a ThreadItem)) -> (&'a str, &'a ThreadItem) {
    (item.id(), item)
}

/// Takes up to `limit + 1` values from `ordered` (already in page order, after the cursor) and
/// builds the page.
fn take_page<'a, T: Clone + 'a>(
    ordered: impl Iterator<Item = (&'a str, &'a T)>,
    limit: usize,
) -> Page<T> {
    let rows = ordered
        .take(limit.saturating_add(1))
        .map(|(id, v)| (id.to_owned(), v.clone()))
        .collect();
    page_of(rows, limit)
}

#[async_trait]
impl Store for MemoryStore {
    async fn load_thread(
        &self,
        thread_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<ThreadMetadata> {
        Ok(self.lock().thread(thread_id, ctx)?.metadata.clone())
    }

    async fn save_thread(&self, thread: &ThreadMetadata, ctx: &StoreContext) -> StoreResult<()> {
        let mut inner = self.lock();
        if let Some(row) = inner.threads.get_mut(&thread.id) {
            if !row.owned_by(ctx) {
                return Err(StoreError::NotFound);
            }
            row.metadata = thread.clone();
            return Ok(());
        }
        let seq = inner.next_seq();
        inner.threads.insert(
            thread.id.clone(),
            ThreadRow {
                identity: ctx.identity.clone(),
                agent: ctx.agent.clone(),
                seq,
                metadata: thread.clone(),
                items: BTreeMap::new(),
                item_seq: HashMap::new(),
                feedback: HashMap::new(),
            },
        );
        Ok(())
    }

    async fn load_threads(
        &self,
        limit: usize,
        after: Option<&str>,
        order: Order,
        ctx: &StoreContext,
    ) -> StoreResult<Page<ThreadMetadata>> {
        let inner = self.lock();
        let cursor = after
            .map(|id| inner.thread(id, ctx).map(|t| t.seq))
            .transpose()?;
        let mut rows: Vec<&ThreadRow> = inner
            .threads
            .values()
            .filter(|t| t.owned_by(ctx))
            .filter(|t| match (cursor, order) {
                (None, _) => true,
                (Some(c), Order::Asc) => t.seq > c,
                (Some(c), Order::Desc) => t.seq < c,
            })
            .collect();
        match order {
            Order::Asc => rows.sort_unstable_by_key(|t| t.seq),
            Order::Desc => rows.sort_unstable_by_key(|t| std::cmp::Reverse(t.seq)),
        }
        Ok(take_page(
            rows.into_iter()
                .map(|t| (t.metadata.id.as_str(), &t.metadata)),
            limit,
        ))
    }

    async fn delete_thread(&self, thread_id: &str, ctx: &StoreContext) -> StoreResult<()> {
        let mut inner = self.lock();
        inner.thread(thread_id, ctx)?;
        inner.threads.remove(thread_id);
        inner.attachments.retain(|_, a| {
            !(a.attachment.thread_id() == Some(thread_id)
                && a.identity == ctx.identity
                && a.agent == ctx.agent)
        });
        Ok(())
    }

    async fn load_thread_items(
        &self,
        thread_id: &str,
        after: Option<&str>,
        limit: usize,
        order: Order,
        ctx: &StoreContext,
    ) -> StoreResult<Page<ThreadItem>> {
        let inner = self.lock();
        let thread = inner.thread(thread_id, ctx)?;
        let cursor = match after {
            Some(id) => Some(*thread.item_seq.get(id).ok_or(StoreError::NotFound)?),
            None => None,
        };
        let page = match (order, cursor) {
            (Order::Asc, None) => take_page(thread.items.iter().map(with_id), limit),
            (Order::Asc, Some(c)) => take_page(thread.items.range(c + 1..).map(with_id), limit),
            (Order::Desc, None) => take_page(thread.items.iter().rev().map(with_id), limit),
            (Order::Desc, Some(c)) => take_page(thread.items.range(..c).rev().map(with_id), limit),
        };
        Ok(page)
    }

    async fn add_thread_item(
        &self,
        thread_id: &str,
        item: &ThreadItem,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        let mut inner = self.lock();
        if inner
            .thread(thread_id, ctx)?
            .item_seq
            .contains_key(item.id())
        {
            return Err(StoreError::Conflict(item.id().to_owned()));
        }
        let seq = inner.next_seq();
        let thread = inner.thread_mut(thread_id, ctx)?;
        thread.item_seq.insert(item.id().to_owned(), seq);
        thread.items.insert(seq, item.clone());
        Ok(())
    }

    async fn save_item(
        &self,
        thread_id: &str,
        item: &ThreadItem,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        let mut inner = self.lock();
        let existing = inner
            .thread(thread_id, ctx)?
            .item_seq
            .get(item.id())
            .copied();
        let seq = match existing {
            Some(seq) => seq,
            None => inner.next_seq(),
        };
        let thread = inner.thread_mut(thread_id, ctx)?;
        thread.item_seq.insert(item.id().to_owned(), seq);
        thread.items.insert(seq, item.clone());
        Ok(())
    }

    async fn load_item(
        &self,
        thread_id: &str,
        item_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<ThreadItem> {
        let inner = self.lock();
        let thread = inner.thread(thread_id, ctx)?;
        thread
            .item_seq
            .get(item_id)
            .and_then(|seq| thread.items.get(seq))
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    async fn delete_thread_item(
        &self,
        thread_id: &str,
        item_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        let mut inner = self.lock();
        let thread = inner.thread_mut(thread_id, ctx)?;
        let seq = thread
            .item_seq
            .remove(item_id)
            .ok_or(StoreError::NotFound)?;
        thread.items.remove(&seq);
        thread.feedback.retain(|(item, _), _| item != item_id);
        Ok(())
    }

    async fn save_attachment(
        &self,
        attachment: &Attachment,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        let mut inner = self.lock();
        match inner.attachments.get_mut(attachment.id()) {
            Some(row) if row.identity == ctx.identity && row.agent == ctx.agent => {
                row.attachment = attachment.clone();
            }
            Some(_) => return Err(StoreError::NotFound),
            None => {
                inner.attachments.insert(
                    attachment.id().to_owned(),
                    AttachmentRow {
                        identity: ctx.identity.clone(),
                        agent: ctx.agent.clone(),
                        attachment: attachment.clone(),
                    },
                );
            }
        }
        Ok(())
    }

    async fn load_attachment(
        &self,
        attachment_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<Attachment> {
        Ok(self
            .lock()
            .attachment(attachment_id, ctx)?
            .attachment
            .clone())
    }

    async fn delete_attachment(&self, attachment_id: &str, ctx: &StoreContext) -> StoreResult<()> {
        let mut inner = self.lock();
        inner.attachment(attachment_id, ctx)?;
        inner.attachments.remove(attachment_id);
        Ok(())
    }

    async fn add_feedback(
        &self,
        thread_id: &str,
        item_ids: &[String],
        kind: FeedbackKind,
        ctx: &StoreContext,
    ) -> StoreResult<()> {
        let mut inner = self.lock();
        let thread = inner.thread_mut(thread_id, ctx)?;
        // All or nothing, as the SQL backends do in one transaction.
        if !item_ids.iter().all(|id| thread.item_seq.contains_key(id)) {
            return Err(StoreError::NotFound);
        }
        for id in item_ids {
            thread
                .feedback
                .insert((id.clone(), ctx.identity.clone()), kind);
        }
        Ok(())
    }

    async fn load_feedback(
        &self,
        thread_id: &str,
        ctx: &StoreContext,
    ) -> StoreResult<Vec<FeedbackRecord>> {
        let inner = self.lock();
        let thread = inner.thread(thread_id, ctx)?;
        // Ordered by the items' order (then identity), so every backend lists them alike.
        let mut rows: Vec<(u64, &str, &str, FeedbackKind)> = thread
            .feedback
            .iter()
            .filter_map(|((item, identity), kind)| {
                let seq = *thread.item_seq.get(item)?;
                Some((seq, identity.as_str(), item.as_str(), *kind))
            })
            .collect();
        rows.sort_unstable_by_key(|&(seq, identity, _, _)| (seq, identity));
        Ok(rows
            .into_iter()
            .map(|(_, _, item_id, kind)| FeedbackRecord {
                thread_id: thread_id.to_owned(),
                item_id: item_id.to_owned(),
                kind,
            })
            .collect())
    }
}
