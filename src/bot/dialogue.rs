//! Where a person is in a guided flow that expects typed text, kept in sled through
//! teloxide's dialogue `Storage` trait, so a restart mid-flow loses nothing.
//! (Button flows need no state: each button carries the ids it acts on; only `/wish`,
//! whose draft grows press by press, keeps it here.)

use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use teloxide::dispatching::dialogue::Storage;
use teloxide::types::ChatId;

use crate::domain::{ChildId, RoundId, ShiftId};
use crate::store::{Key, Store, StoreError, WriteError, T};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    #[default]
    Idle,
    /// `/child add`: waiting for the child's name.
    ChildName,
    /// Then for the birth date.
    ChildBirth { name: String },
    /// `/cancelshift N`: waiting for the reason.
    CancelShiftReason { shift: ShiftId },
    /// "Notes of …" pressed: waiting for the child's new notes ("-" clears them).
    ChildNotes { child: ChildId },
    /// `/wish`: the draft so far (the child, the shifts in order, how many at most),
    /// filled in with buttons.
    Wish { round: RoundId, child: Option<ChildId>, shifts: Vec<ShiftId>, max: Option<u32> },
}

/// teloxide dialogue storage on the huzhu sled store; every change goes through the
/// store's one writer and is durable when it returns.
pub struct SledStorage {
    store: Arc<Store>,
}

impl SledStorage {
    pub fn new(store: Arc<Store>) -> Arc<Self> {
        Arc::new(SledStorage { store })
    }

    pub fn key(chat: ChatId) -> Key {
        Key::new().i64(chat.0)
    }

    /// A chat's state, read directly (blocking: the handlers read it on their blocking
    /// thread); idle when it has none or it cannot be read.
    pub fn read(store: &Store, chat: ChatId) -> State {
        store
            .get(T::Dialogues, Self::key(chat))
            .unwrap_or_else(|e| {
                log::warn!("dialogue read failed: {e}");
                None
            })
            .unwrap_or_default()
    }

    /// Runs a store write off the async workers (it waits for the group commit).
    async fn write(
        &self,
        f: impl FnOnce(&Store) -> Result<(), WriteError<()>> + Send + 'static,
    ) -> Result<(), StoreError> {
        let store = self.store.clone();
        match tokio::task::spawn_blocking(move || f(&store)).await {
            Ok(Ok(())) | Ok(Err(WriteError::Abort(()))) => Ok(()),
            Ok(Err(WriteError::Store(e))) => Err(e),
            Err(e) => Err(StoreError::Flush(format!("dialogue write did not finish: {e}"))),
        }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<D> Storage<D> for SledStorage
where
    D: Serialize + for<'de> Deserialize<'de> + Send + 'static,
{
    type Error = StoreError;

    fn remove_dialogue(self: Arc<Self>, chat_id: ChatId) -> BoxFuture<Result<(), StoreError>> {
        Box::pin(async move {
            let key = Self::key(chat_id);
            self.write(move |store| store.write(|tx| tx.del(T::Dialogues, &key).map_err(Into::into))).await
        })
    }

    fn update_dialogue(self: Arc<Self>, chat_id: ChatId, dialogue: D) -> BoxFuture<Result<(), StoreError>> {
        Box::pin(async move {
            let key = Self::key(chat_id);
            let value = crate::store::encode(&dialogue);
            self.write(move |store| store.write(|tx| tx.put_raw(T::Dialogues, &key, &value).map_err(Into::into))).await
        })
    }

    fn get_dialogue(self: Arc<Self>, chat_id: ChatId) -> BoxFuture<Result<Option<D>, StoreError>> {
        Box::pin(async move { self.store.get(T::Dialogues, Self::key(chat_id)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::dispatching::dialogue::Dialogue;

    #[tokio::test]
    async fn state_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        {
            let store = Arc::new(Store::open(&path).unwrap());
            let d: Dialogue<State, SledStorage> = Dialogue::new(SledStorage::new(store), ChatId(42));
            d.update(State::ChildBirth { name: "小明".into() }).await.unwrap();
        }
        // sled lets go of its lock a moment after the last handle is dropped.
        let store = Arc::new(Store::open_waiting(&path, std::time::Duration::from_secs(10)).unwrap());
        let d: Dialogue<State, SledStorage> = Dialogue::new(SledStorage::new(store), ChatId(42));
        assert_eq!(d.get().await.unwrap(), Some(State::ChildBirth { name: "小明".into() }));
        d.exit().await.unwrap();
        assert_eq!(d.get().await.unwrap(), None);
    }
}
