//! What several resources (and data sources) share: schema builders, model structs and their
//! API mapping, each in one home.

pub mod teams_federation;
pub mod xtap_blocks;
