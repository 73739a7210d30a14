//! HTTP and nothing about Terraform: credentials, one REST core ([`rest`]) with a Graph, an
//! Exchange Online and a Teams tenant admin client over it, requests as data ([`request`]), pacing shared by a
//! provider instance ([`pacer`]), one retry policy, eventual-consistency and polling helpers
//! that always run under a deadline, and the create-once rule for creates whose outcome is in
//! doubt.

pub mod auth;
pub mod certificate;
pub mod consistency;
pub mod create;
pub mod deadline;
pub mod error;
pub mod exchange;
pub mod graph;
pub mod http;
pub mod imds;
pub mod oidc;
pub mod pacer;
pub mod permission;
pub mod request;
pub mod rest;
pub mod retry;
pub mod signin;
pub mod teams;

pub use deadline::Deadline;
pub use error::ApiError;
pub use permission::Permission;
pub use request::Request;

use auth::{StaticToken, TokenSource};
use exchange::ExchangeClient;
use graph::GraphClient;
use http::Transport;
use pacer::Pacers;
use std::sync::Arc;
use teams::TeamsClient;

/// Everything a configured provider instance talks to. One per provider block (Terraform starts
/// one plugin process per provider configuration, so two aliases never share clients), hence
/// one tenant: the pacers here are per API per tenant, shared by every resource instance.
pub struct Clients {
    pub graph: GraphClient,
    pub exchange: ExchangeClient,
    pub teams: TeamsClient,
    pub pacers: Arc<Pacers>,
    /// The tenant this provider instance signs in to, when configured (resources acting on
    /// "this tenant" by ID, e.g. a multitenant organization member removing itself).
    tenant_id: Option<String>,
}

/// The tenant [`Clients::for_tests`] talks to.
pub const TEST_TENANT: &str = "0c4c5e6f-1a2b-4c3d-9e8f-7a6b5c4d3e2f";

/// One API's endpoint and the token source for its audience.
pub struct Api {
    pub endpoint: String,
    pub token: Arc<dyn TokenSource>,
}

impl Clients {
    /// The clients of a configured provider instance: every field given, no defaults (a
    /// forgotten endpoint is a compile error, never a request to a test host).
    pub fn new(
        transport: Arc<dyn Transport>,
        tenant_id: Option<String>,
        graph: Api,
        exchange: Api,
        teams: Api,
    ) -> Clients {
        ClientsBuilder {
            transport,
            graph_endpoint: graph.endpoint,
            exchange_endpoint: exchange.endpoint,
            teams_endpoint: teams.endpoint,
            tenant_id,
            graph_token: graph.token,
            exchange_token: exchange.token,
            teams_token: teams.token,
        }
        .build()
    }

    /// Clients over `transport` with test defaults (endpoints `https://graph.example`,
    /// `https://exchange.example` and `https://teams.example`, tenant [`TEST_TENANT`], fixed tokens); change what a test
    /// needs on the builder. Production uses [`Clients::new`], which has no defaults.
    pub fn builder(transport: Arc<dyn Transport>) -> ClientsBuilder {
        ClientsBuilder {
            transport,
            graph_endpoint: "https://graph.example".into(),
            exchange_endpoint: "https://exchange.example".into(),
            teams_endpoint: "https://teams.example".into(),
            tenant_id: Some(TEST_TENANT.into()),
            graph_token: Arc::new(StaticToken("graph-token".into())),
            exchange_token: Arc::new(StaticToken("exchange-token".into())),
            teams_token: Arc::new(StaticToken("teams-token".into())),
        }
    }

    /// Clients for unit tests: every request goes to `transport` (usually a scripted
    /// [`http::mock::MockTransport`]); adding a field to `Clients` changes only the builder.
    pub fn for_tests(transport: Arc<dyn Transport>) -> Clients {
        Clients::builder(transport).build()
    }

    /// The configured sign-in tenant ID, if any.
    pub fn tenant_id(&self) -> Option<&str> {
        self.tenant_id.as_deref()
    }
}

pub struct ClientsBuilder {
    transport: Arc<dyn Transport>,
    graph_endpoint: String,
    exchange_endpoint: String,
    teams_endpoint: String,
    tenant_id: Option<String>,
    graph_token: Arc<dyn TokenSource>,
    exchange_token: Arc<dyn TokenSource>,
    teams_token: Arc<dyn TokenSource>,
}

impl ClientsBuilder {
    pub fn graph(mut self, endpoint: &str, token: Arc<dyn TokenSource>) -> Self {
        self.graph_endpoint = endpoint.to_string();
        self.graph_token = token;
        self
    }
    pub fn exchange(mut self, endpoint: &str, token: Arc<dyn TokenSource>) -> Self {
        self.exchange_endpoint = endpoint.to_string();
        self.exchange_token = token;
        self
    }
    pub fn teams(mut self, endpoint: &str, token: Arc<dyn TokenSource>) -> Self {
        self.teams_endpoint = endpoint.to_string();
        self.teams_token = token;
        self
    }
    pub fn tenant_id(mut self, tenant_id: Option<String>) -> Self {
        self.tenant_id = tenant_id;
        self
    }
    pub fn build(self) -> Clients {
        let pacers = Pacers::new();
        Clients {
            graph: GraphClient::new(
                self.transport.clone(),
                &self.graph_endpoint,
                self.graph_token,
                pacers.clone(),
            ),
            teams: TeamsClient::new(
                self.transport.clone(),
                &self.teams_endpoint,
                self.teams_token,
                pacers.clone(),
            ),
            exchange: ExchangeClient::new(
                self.transport,
                &self.exchange_endpoint,
                self.tenant_id.as_deref(),
                self.exchange_token,
                pacers.clone(),
            ),
            pacers,
            tenant_id: self.tenant_id,
        }
    }
}
