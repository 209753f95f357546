//! TLS to PostgreSQL with rustls (ring provider), chosen by `sslmode`.
//!
//! Input: a `postgres://` URL. Output: the URL without the TLS parameters
//! this module handles itself, and the [`TlsMode`] with its rustls
//! connector. The `sslmode` values keep libpq's meanings:
//!
//! | `sslmode` | connection |
//! | --- | --- |
//! | absent, `disable`, `allow`, `prefer` | plain TCP |
//! | `require` | TLS; the server's certificate is not checked (as libpq does), unless `sslrootcert` is given |
//! | `verify-ca`, `verify-full` | TLS; the certificate must chain to `sslrootcert` (a PEM file) or, without it, to the Mozilla roots of `webpki-roots`, and name the host |

use std::path::PathBuf;
use std::sync::Arc;

use percent_encoding::percent_decode_str;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::db::error::DbError;

/// How to secure the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TlsMode {
    /// Plain TCP.
    Disable,
    /// TLS without checking the certificate (libpq's `require`).
    Encrypt,
    /// TLS with a checked certificate and host name.
    Verify {
        /// Trusted roots in a PEM file; `None` for the Mozilla roots.
        root_certificate: Option<PathBuf>,
    },
}

/// Splits the TLS parameters off `url`; the rest is left exactly as
/// written (tokio-postgres decodes it).
pub(crate) fn split_url(url: &str) -> Result<(String, TlsMode), DbError> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), TlsMode::Disable));
    };
    let mut kept = Vec::new();
    let mut ssl_mode = None;
    let mut root_certificate = None;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |text: &str| percent_decode_str(text).decode_utf8_lossy().into_owned();
        match decode(key).as_str() {
            "sslmode" => ssl_mode = Some(decode(value)),
            "sslrootcert" => root_certificate = Some(PathBuf::from(decode(value))),
            _ => kept.push(pair),
        }
    }
    let mode = match ssl_mode.as_deref() {
        None | Some("disable" | "allow" | "prefer") if root_certificate.is_none() => {
            TlsMode::Disable
        }
        Some("require") if root_certificate.is_none() => TlsMode::Encrypt,
        Some("require" | "verify-ca" | "verify-full") => TlsMode::Verify { root_certificate },
        None | Some("disable" | "allow" | "prefer") => {
            return Err(DbError::connection(
                "`sslrootcert` needs `sslmode=require`, `verify-ca` or `verify-full`",
            ));
        }
        Some(other) => {
            return Err(DbError::connection(format!(
                "unknown `sslmode={other}` (use disable, prefer, require, verify-ca or verify-full)"
            )));
        }
    };
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, mode))
}

/// The rustls connector for `mode` (`None` for plain TCP).
pub(crate) fn connector(mode: &TlsMode) -> Result<Option<MakeRustlsConnect>, DbError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|error| DbError::connection(format!("TLS setup: {error}")))?;
    let config = match mode {
        TlsMode::Disable => return Ok(None),
        TlsMode::Encrypt => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate {
                algorithms: provider.signature_verification_algorithms,
            }))
            .with_no_client_auth(),
        TlsMode::Verify { root_certificate } => builder
            .with_root_certificates(root_store(root_certificate.as_ref())?)
            .with_no_client_auth(),
    };
    Ok(Some(MakeRustlsConnect::new(config)))
}

fn root_store(file: Option<&PathBuf>) -> Result<RootCertStore, DbError> {
    let Some(file) = file else {
        return Ok(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        });
    };
    let unreadable = |error: &dyn std::fmt::Display| {
        DbError::connection(format!("sslrootcert {}: {error}", file.display()))
    };
    let mut store = RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(file).map_err(|error| unreadable(&error))? {
        let certificate = certificate.map_err(|error| unreadable(&error))?;
        store.add(certificate).map_err(|error| unreadable(&error))?;
    }
    if store.is_empty() {
        return Err(unreadable(&"no certificate in the file"));
    }
    Ok(store)
}

/// libpq's `sslmode=require`: encrypt, accept any certificate. The
/// handshake signatures are still checked, so the server holds the key of
/// the certificate it shows; only who that is goes unchecked.
#[derive(Debug)]
struct AnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, certificate, signature, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, certificate, signature, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_parameters_are_taken_out_and_the_rest_kept_verbatim() {
        let (url, mode) =
            split_url("postgres://u@h/db?options=-c%20search_path%3Dx&sslmode=require").unwrap();
        assert_eq!(url, "postgres://u@h/db?options=-c%20search_path%3Dx");
        assert_eq!(mode, TlsMode::Encrypt);

        let (url, mode) = split_url("postgres://u@h/db").unwrap();
        assert_eq!(
            (url.as_str(), mode),
            ("postgres://u@h/db", TlsMode::Disable)
        );

        let (_, mode) =
            split_url("postgres://h/db?sslmode=verify-full&sslrootcert=%2Fca.pem").unwrap();
        assert_eq!(
            mode,
            TlsMode::Verify {
                root_certificate: Some(PathBuf::from("/ca.pem"))
            }
        );
        assert!(split_url("postgres://h/db?sslmode=sometimes").is_err());
    }
}
