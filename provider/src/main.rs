//! terraform-provider-coexistence: started by Terraform as a go-plugin gRPC server.

use std::process::ExitCode;

use coexistence::server::{self, ServeOptions};

const USAGE: &str = "\
Usage: terraform-provider-coexistence [--debug] [--version] [--help]

Terraform provider for Microsoft Entra / Microsoft 365 cross-tenant coexistence.
Terraform starts this program itself; you do not run it directly.

Options:
  --debug    Run standalone for a debugger; prints a TF_REATTACH_PROVIDERS value to use
  --version  Print the version and exit
  --help     Print this help and exit";

fn main() -> ExitCode {
    let mut debug = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--debug" | "-debug" => debug = true,
            "--version" | "-version" => {
                println!(
                    "terraform-provider-coexistence {}",
                    env!("CARGO_PKG_VERSION")
                );
                return ExitCode::SUCCESS;
            }
            "--help" | "-help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }

    coexistence::logging::init();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("failed to start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(server::serve(
        server::rpc::ProviderServer::new(),
        ServeOptions { debug },
    ));
    // Do not wait for tasks still parked on signals or streams.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e:#}");
            ExitCode::FAILURE
        }
    }
}
