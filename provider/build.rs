//! Generates the gRPC bindings from `../proto` with protox (pure Rust; no system `protoc`).

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../proto");
    println!("cargo:rerun-if-changed=../proto");

    let files = [
        "tfplugin6.proto",
        "grpc_controller.proto",
        "grpc_stdio.proto",
        "grpc_broker.proto",
    ];
    let files = files.map(|f| proto_dir.join(f));
    let fds = protox::compile(files, [&proto_dir])?;

    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        // RPCs we do not serve answer UNIMPLEMENTED without hand-written stubs.
        .generate_default_stubs(true)
        .compile_fds(fds)?;
    Ok(())
}
