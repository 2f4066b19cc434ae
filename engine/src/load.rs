//! Building a [`Dataset`] from the store through its columnar copy.

use crate::columnar::ColumnarCopy;
use crate::{Dataset, EngineError};
use store::Store;

/// Brings `copy` up to date with `store` and reads the reference tables beside it.
pub async fn load(store: &Store, copy: &ColumnarCopy) -> Result<Dataset, EngineError> {
    let loaded = copy.sync(store).await?;
    let reference = store.reference_frames().await?;
    Ok(Dataset::new(reference, loaded)?)
}
