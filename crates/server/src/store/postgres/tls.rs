//! TLS to the database through rustls: `sslmode=require` in the URL makes
//! the connection use TLS, and the server's certificate is verified, its
//! name included (as libpq's `verify-full`), against `--db-ca-file` or
//! Mozilla's root certificates. `sslmode=prefer` (libpq's default) uses TLS
//! when the server offers it, verified the same way.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

use crate::store::StoreError;

pub fn connector(
    ca_file: Option<&Path>,
) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let shown = path.display();
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| StoreError::Connect(format!("{shown}: {e}")))?;
            for cert in certs {
                let cert = cert.map_err(|e| StoreError::Connect(format!("{shown}: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| StoreError::Connect(format!("{shown}: {e}")))?;
            }
            if roots.is_empty() {
                return Err(StoreError::Connect(format!(
                    "{shown}: no PEM certificate in it"
                )));
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StoreError::Connect(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}
