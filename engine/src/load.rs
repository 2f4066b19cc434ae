//! Building a [`Dataset`] from the store through its columnar copy.

use crate::columnar::ColumnarCopy;
use crate::{Dataset, EngineError};
use store::Store;

/// Brings `copy` up to date with `store` and loads it with the reference tables.
pub async fn load(store: &Store, copy: &ColumnarCopy) -> Result<Dataset, EngineError> {
    let loaded = copy.sync(store).await?;
    let reference = copy.reference(store).await?;
    Ok(Dataset::new(reference, loaded)?)
}
