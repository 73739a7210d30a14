//! HTTP and nothing about Terraform: credentials, the Graph client, one retry policy,
//! eventual-consistency helpers that always run under a deadline, and the create-once rule
//! for creates whose outcome is in doubt.

pub mod auth;
pub mod certificate;
pub mod consistency;
pub mod create;
pub mod error;
pub mod graph;
pub mod http;
pub mod permission;
pub mod retry;

pub use consistency::Deadline;
pub use error::ApiError;
pub use permission::Permission;

/// Everything a configured provider instance talks to. One per provider block (Terraform starts
/// one plugin process per provider configuration, so two aliases never share clients).
pub struct Clients {
    pub graph: graph::GraphClient,
}
