//! Server functions: the wall's only way to the data. Each runs on the server (with the
//! engine's [`engine::hub::Hub`] in context) and returns the wire types of `domain::wire`.

pub mod people;
pub mod reports;
pub mod session;
pub mod wall;
pub mod work;
