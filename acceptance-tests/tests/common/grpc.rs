//! The provider's gRPC service in-process, behind a real tonic server on a loopback port, as
//! Terraform 1.12+ talks to it (the terraform on PATH is older and never calls the newer RPCs).

use super::*;
use coexistence::framework::Value;
use coexistence::server::convert;
use coexistence::server::proto::tfplugin6 as pb;
use coexistence::server::proto::tfplugin6::provider_client::ProviderClient;
use coexistence::server::proto::tfplugin6::provider_server::ProviderServer as ProviderService;
use coexistence::server::rpc::ProviderServer;
use std::time::Duration;
use tonic::transport::Channel;

/// The provider's gRPC service, configured for `tenant` of the emulator.
pub async fn provider(acc: &Acc, tenant: &Tenant) -> ProviderClient<Channel> {
    // The provider trusts the emulator's CA the way Terraform runs it: through SSL_CERT_FILE.
    std::env::set_var("SSL_CERT_FILE", acc.emu.ca_pem_path());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(ProviderService::new(ProviderServer::new()))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .timeout(Duration::from_secs(120))
        .connect()
        .await
        .unwrap();
    let mut client = ProviderClient::new(channel);
    let ty = coexistence::provider::schema().ty();
    let mut config = Value::null_object(&ty);
    let url = acc.emu.url();
    for (k, v) in [
        ("tenant_id", tenant.tenant_id.as_str()),
        ("client_id", &tenant.client_id),
        ("client_secret", &tenant.client_secret),
        ("authority_host", &url),
        ("graph_endpoint", &url),
        ("exchange_endpoint", &url),
    ] {
        config.set_attr(k, Value::string(v));
    }
    let r = client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.12.0".into(),
            config: Some(convert::encode(&config, &ty).unwrap()),
            client_capabilities: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    client
}
