//! Building a [`Dataset`] from the store through its columnar copy.

use crate::columnar::ColumnarCopy;
use crate::{Dataset, EngineError};
use store::Store;

/// Brings `copy` up to date with `store` and loads it with the reference tables.
pub async fn load(store: &Store, copy: &ColumnarCopy) -> Result<Dataset, EngineError> {
    load_at(store, copy, &store.reference_stamp().await?).await
}

/// [`load`] for a reference stamp the caller has just read.
pub async fn load_at(store: &Store, copy: &ColumnarCopy, stamp: &str) -> Result<Dataset, EngineError> {
    let loaded = copy.sync(store).await?;
    Ok(Dataset::new(copy.reference_at(store, stamp).await?, loaded)?)
}
