//! One module per route; each page keeps its server functions beside it.

pub mod district;
pub mod not_found;
