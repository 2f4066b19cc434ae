//! Wire types shared by server functions and the browser (no `store` types here:
//! the hydrate build must not depend on the store crate).

pub mod org;
