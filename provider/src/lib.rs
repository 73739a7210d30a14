//! terraform-provider-coexistence: Microsoft Entra / Microsoft 365 cross-tenant coexistence as code.
//!
//! Layers, each knowing only the one below it:
//! - `server`: the go-plugin handshake and the tfplugin6 gRPC service; the only code naming protocol types.
//! - `framework`: Terraform semantics (schema, values, planning, diagnostics) without protocol or HTTP.
//! - `clients`: credentials, the Graph client, retries and eventual-consistency helpers; nothing about Terraform.
//! - `resources` / `data_sources`: one folder each, registered in one list.

pub mod clients;
pub mod data_sources;
pub mod docs;
pub mod export;
pub mod framework;
pub mod logging;
pub mod provider;
pub mod resources;
pub mod server;
