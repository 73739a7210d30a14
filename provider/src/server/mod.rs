//! The plugin server: go-plugin handshake, AutoMTLS, and the gRPC services Terraform talks to.
//!
//! This is the only layer that names generated protocol types. [`serve`] runs everything:
//! it checks that Terraform launched us, negotiates protocol 6, listens on 127.0.0.1 (TLS
//! with a pinned client certificate when Terraform asks for AutoMTLS), prints the
//! handshake line, and serves until `GRPCController.Shutdown` or SIGTERM.

pub mod convert;
pub mod handshake;
mod list_resources;
pub mod plugin_services;
pub mod proto;
pub mod rpc;
mod server_state;
pub mod tls;

use std::future::Future;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use futures::StreamExt as _;
use tokio_stream::wrappers::{ReceiverStream, TcpListenerStream, UnixListenerStream};
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Router;
use tonic::transport::Server;

use self::plugin_services::{Broker, Controller, Stdio};
use self::proto::plugin::grpc_broker_server::GrpcBrokerServer;
use self::proto::plugin::grpc_controller_server::GrpcControllerServer;
use self::proto::plugin::grpc_stdio_server::GrpcStdioServer;
use self::proto::tfplugin6::provider_server::{Provider, ProviderServer as ProviderService};

/// The provider's registry address (used in `TF_REATTACH_PROVIDERS` and diagnostics).
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/coexistence/coexistence";

/// go-plugin's gRPC health service name.
const HEALTH_SERVICE_NAME: &str = "plugin";
/// Largest gRPC message either way; same as terraform-plugin-go (256 MiB).
const MAX_MESSAGE_SIZE: usize = 256 << 20;
/// How long in-flight calls may run after shutdown before we exit anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// A TLS client that has not finished its handshake by then is dropped.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How to serve.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServeOptions {
    /// Debug mode: plain gRPC on a unix socket, prints `TF_REATTACH_PROVIDERS`, stops on Ctrl-C.
    pub debug: bool,
}

/// Serves `provider` until Terraform shuts us down (or Ctrl-C in debug mode).
///
/// Fails, with a message meant for a human, when the process was not launched by Terraform
/// (magic cookie missing) or Terraform does not offer protocol 6.
pub async fn serve<P: Provider>(provider: P, opts: ServeOptions) -> anyhow::Result<()> {
    let shutdown = CancellationToken::new();
    if opts.debug {
        serve_debug(provider, shutdown).await
    } else {
        serve_plugin(provider, shutdown).await
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

async fn serve_plugin<P: Provider>(provider: P, shutdown: CancellationToken) -> anyhow::Result<()> {
    if !handshake::magic_cookie_present(env(handshake::MAGIC_COOKIE_KEY).as_deref()) {
        anyhow::bail!(handshake::NOT_A_PLUGIN_HOST_MESSAGE);
    }
    let version =
        handshake::negotiate_protocol_version(env("PLUGIN_PROTOCOL_VERSIONS").as_deref())?;

    // Before the handshake line: Terraform may forward Ctrl-C as soon as it knows us.
    install_signal_handlers(shutdown.clone(), false)?;

    let range = handshake::port_range(
        env("PLUGIN_MIN_PORT").as_deref(),
        env("PLUGIN_MAX_PORT").as_deref(),
    )?;
    let listener = handshake::bind_loopback(range).await?;
    let addr = listener
        .local_addr()
        .context("reading the listener address")?;
    let router = router(provider, &shutdown).await;

    match env("PLUGIN_CLIENT_CERT").filter(|pem| !pem.trim().is_empty()) {
        Some(client_pem) => {
            tracing::debug!("configuring automatic mTLS");
            let identity = tls::generate_server_identity()?;
            let config = tls::server_config(&client_pem, &identity)?;
            let incoming = tls_incoming(listener, config, shutdown.clone());
            print_stdout_line(&handshake::handshake_line(
                version,
                addr,
                Some(identity.cert_der.as_ref()),
            ))?;
            tracing::debug!(address = %addr, "serving gRPC over mutual TLS");
            let server =
                router.serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());
            run_until_shutdown(server, &shutdown).await
        }
        None => {
            let incoming = TcpListenerStream::new(listener).map(|conn| {
                conn.inspect(|tcp| {
                    let _ = tcp.set_nodelay(true);
                })
            });
            print_stdout_line(&handshake::handshake_line(version, addr, None))?;
            tracing::debug!(address = %addr, "serving plaintext gRPC (no AutoMTLS requested)");
            let server =
                router.serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());
            run_until_shutdown(server, &shutdown).await
        }
    }
}

async fn serve_debug<P: Provider>(provider: P, shutdown: CancellationToken) -> anyhow::Result<()> {
    install_signal_handlers(shutdown.clone(), true)?;
    let dir = debug_socket_dir()?;
    let socket = dir.join("provider.sock");
    let result = async {
        let listener = tokio::net::UnixListener::bind(&socket)
            .with_context(|| format!("binding the debug socket {}", socket.display()))?;
        let router = router(provider, &shutdown).await;
        let reattach = handshake::reattach_config(
            PROVIDER_ADDRESS,
            std::process::id(),
            "unix",
            &socket.to_string_lossy(),
        );
        print_stdout_line(&format!(
            "terraform-provider-coexistence is running in debug mode.\n\
             To make Terraform use this process instead of starting its own, set this \
             variable in the shell that runs Terraform (bash/zsh: prefix it with `export `):\n\n\
             TF_REATTACH_PROVIDERS='{reattach}'\n\n\
             Press Ctrl-C to stop the provider."
        ))?;
        let incoming = UnixListenerStream::new(listener);
        let server =
            router.serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());
        run_until_shutdown(server, &shutdown).await
    }
    .await;
    remove_debug_socket_dir(&dir, &socket);
    result
}

/// A fresh private directory for the debug socket.
fn debug_socket_dir() -> anyhow::Result<PathBuf> {
    let base = std::env::temp_dir();
    for _ in 0..8 {
        let suffix: u32 = rand::random();
        let dir = base.join(format!(
            "terraform-provider-coexistence-{}-{suffix:08x}",
            std::process::id()
        ));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("creating {}", dir.display()));
            }
        }
    }
    anyhow::bail!("could not create a temporary directory for the debug socket")
}

fn remove_debug_socket_dir(dir: &Path, socket: &Path) {
    let _ = std::fs::remove_file(socket);
    let _ = std::fs::remove_dir(dir);
}

/// All services on one gRPC server: Provider, health, and go-plugin's helpers.
async fn router<P: Provider>(provider: P, shutdown: &CancellationToken) -> Router {
    let (reporter, health) = tonic_health::server::health_reporter();
    for name in [HEALTH_SERVICE_NAME, ""] {
        reporter
            .set_service_status(name, tonic_health::ServingStatus::Serving)
            .await;
    }
    Server::builder()
        .add_service(health)
        .add_service(
            ProviderService::new(provider)
                .max_decoding_message_size(MAX_MESSAGE_SIZE)
                .max_encoding_message_size(MAX_MESSAGE_SIZE),
        )
        .add_service(GrpcControllerServer::new(Controller::new(shutdown.clone())))
        .add_service(GrpcStdioServer::new(Stdio::new(shutdown.clone())))
        .add_service(GrpcBrokerServer::new(Broker::new(shutdown.clone())))
}

/// Accepts TCP connections and completes TLS handshakes off the accept loop; a failed or
/// stalled handshake is logged and dropped without touching the server.
fn tls_incoming(
    listener: tokio::net::TcpListener,
    config: std::sync::Arc<rustls::ServerConfig>,
    shutdown: CancellationToken,
) -> ReceiverStream<io::Result<tls::TlsConn>> {
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    tokio::spawn(async move {
        loop {
            let (tcp, peer) = tokio::select! {
                () = shutdown.cancelled() => break,
                accepted = listener.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
            };
            let _ = tcp.set_nodelay(true);
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                    Ok(Ok(stream)) => {
                        let _ = tx.send(Ok(tls::TlsConn::new(stream, Some(peer)))).await;
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(peer = %peer, error = %e, "TLS handshake failed");
                    }
                    Err(_) => tracing::warn!(peer = %peer, "TLS handshake timed out"),
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

/// Runs the server; once shutdown starts, allows [`SHUTDOWN_GRACE`] for calls to finish.
async fn run_until_shutdown(
    server: impl Future<Output = Result<(), tonic::transport::Error>>,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => result.context("the gRPC server failed"),
        () = async {
            shutdown.cancelled().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {
            tracing::warn!("calls still running {SHUTDOWN_GRACE:?} after shutdown; exiting anyway");
            Ok(())
        }
    }
}

/// SIGTERM always shuts down. SIGINT is ignored under Terraform (it sends Ctrl-C to the whole
/// process group and then calls StopProvider); in debug mode it shuts down.
fn install_signal_handlers(shutdown: CancellationToken, sigint_stops: bool) -> anyhow::Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut sigint = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    let mut sigterm = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let on_int = shutdown.clone();
    tokio::spawn(async move {
        let mut count = 0u64;
        while sigint.recv().await.is_some() {
            count += 1;
            if sigint_stops {
                tracing::info!("interrupted; shutting down");
                on_int.cancel();
            } else {
                tracing::debug!(count, "ignoring SIGINT; Terraform stops providers itself");
            }
        }
    });
    tokio::spawn(async move {
        if sigterm.recv().await.is_some() {
            tracing::info!("SIGTERM received; shutting down");
            shutdown.cancel();
        }
    });
    Ok(())
}

fn print_stdout_line(line: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}").context("writing to stdout")?;
    out.flush().context("flushing stdout")
}
