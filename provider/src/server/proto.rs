//! Generated bindings for `proto/`: Terraform's `tfplugin6` and go-plugin's `plugin` package.
//!
//! Only `server` names these types; the layers below never see them.

/// Terraform plugin protocol 6 (messages, `provider_server` and `provider_client`).
#[allow(
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    missing_docs,
    rustdoc::all
)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's own services: controller, stdio and broker.
#[allow(
    clippy::all,
    clippy::pedantic,
    clippy::nursery,
    missing_docs,
    rustdoc::all
)]
pub mod plugin {
    tonic::include_proto!("plugin");
}
