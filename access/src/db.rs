//! The SQL primitives of this crate are the store's ([`store::sql`]): one [`Tx`] for both
//! databases, so a write of another crate (a check-in, a resource use) can commit together
//! with its audit row in one transaction.

pub(crate) use store::args;
pub(crate) use store::sql::{Arg, Tx, all, execute, optional};
