//! terraform-provider-coexistence: started by Terraform as a go-plugin gRPC server.

use std::process::ExitCode;

use coexistence::server::{self, ServeOptions};

const USAGE: &str = "\
Usage: terraform-provider-coexistence [--debug] [--version] [--help]
       terraform-provider-coexistence docs <out-dir> [--examples <dir>]
       terraform-provider-coexistence export [--out DIR] [--alias NAME] [options]

Terraform provider for Microsoft Entra / Microsoft 365 cross-tenant coexistence.
Terraform starts this program itself; you do not run it directly.

Options:
  --debug    Run standalone for a debugger; prints a TF_REATTACH_PROVIDERS value to use
  --version  Print the version and exit
  --help     Print this help and exit

Commands:
  docs       Generate the registry documentation into <out-dir> (index.md, resources/,
             data-sources/) from the schemas and the examples in <dir> (default: examples)
  export     Write import blocks for the objects of an existing tenant (`export --help`)";

/// `docs <out-dir> [--examples <dir>]`: writes the generated documentation.
fn docs(args: &[String]) -> ExitCode {
    let mut out = None;
    let mut examples = std::path::PathBuf::from("examples");
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--examples" | "-examples" => match it.next() {
                Some(dir) => examples = dir.into(),
                None => {
                    eprintln!("--examples needs a directory\n\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            a if out.is_none() && !a.starts_with('-') => out = Some(std::path::PathBuf::from(a)),
            other => {
                eprintln!("unexpected argument {other:?}\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(out) = out else {
        eprintln!("docs needs an output directory\n\n{USAGE}");
        return ExitCode::from(2);
    };
    match coexistence::docs::write_all(&out, &examples) {
        Ok(written) => {
            for p in written {
                println!("wrote {}", p.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("generating docs: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `export ...`: import blocks for an existing tenant's objects (see `coexistence::export`).
fn export(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{}", coexistence::export::USAGE);
        return ExitCode::SUCCESS;
    }
    coexistence::logging::init();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("failed to start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let env = |k: &str| std::env::var(k).ok();
    ExitCode::from(runtime.block_on(coexistence::export::run(args, &env)))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("docs") {
        return docs(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("export") {
        return export(&args[1..]);
    }
    let mut debug = false;
    for arg in args {
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

    // rustls' process-wide default, used by reqwest for Graph and the token endpoint: ring.
    // With aws-lc-rs there, the first TLS connection of each provider process seeds aws-lc's
    // random generator from CPU jitter entropy, ~30 ms measured inside the first ReadResource of
    // every command. aws-lc-rs stays linked for what needs it (P-521 verification, RSA).
    let _ = rustls::crypto::ring::default_provider().install_default();

    // One thread is enough: the provider waits on Terraform and on Graph, and its own work per
    // call is microseconds of (de)serialising. Worker threads would cost start-up time and
    // idle memory in every one of the several provider processes Terraform starts per command.
    let runtime = match tokio::runtime::Builder::new_current_thread()
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
