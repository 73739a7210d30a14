//! go-plugin's helper services: GRPCController (shutdown), GRPCStdio and GRPCBroker.
//!
//! We never forward stdio or broker connections, but Terraform's client opens these
//! streams, so they stay open (silent) until the server shuts down.

use std::pin::Pin;

use futures::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

use super::proto::plugin::{
    grpc_broker_server::GrpcBroker, grpc_controller_server::GrpcController,
    grpc_stdio_server::GrpcStdio, ConnInfo, Empty, StdioData,
};

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

/// A stream that yields nothing and ends when `shutdown` is cancelled.
fn silent_until<T: Send + 'static>(shutdown: CancellationToken) -> BoxStream<T> {
    Box::pin(
        futures::stream::once(async move { shutdown.cancelled_owned().await })
            .filter_map(|()| async { None }),
    )
}

/// `plugin.GRPCController`: `Shutdown` stops the whole server gracefully.
#[derive(Debug, Clone)]
pub struct Controller {
    shutdown: CancellationToken,
}

impl Controller {
    /// Cancelling `shutdown` is what makes `serve` return.
    pub fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("GRPCController.Shutdown received; shutting down");
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}

/// `plugin.GRPCStdio`: we write logs to stderr directly, so the stream stays silent.
#[derive(Debug, Clone)]
pub struct Stdio {
    shutdown: CancellationToken,
}

impl Stdio {
    /// The stream ends when `shutdown` is cancelled.
    pub fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<BoxStream<StdioData>>, Status> {
        Ok(Response::new(silent_until(self.shutdown.clone())))
    }
}

/// `plugin.GRPCBroker`: we broker nothing; incoming messages are read and dropped.
#[derive(Debug, Clone)]
pub struct Broker {
    shutdown: CancellationToken,
}

impl Broker {
    /// The response stream ends when `shutdown` is cancelled.
    pub fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<BoxStream<ConnInfo>>, Status> {
        let mut incoming = request.into_inner();
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    msg = incoming.next() => match msg {
                        Some(Ok(info)) => tracing::trace!(service_id = info.service_id, "ignoring broker message"),
                        Some(Err(_)) | None => break,
                    },
                }
            }
        });
        Ok(Response::new(silent_until(self.shutdown.clone())))
    }
}
