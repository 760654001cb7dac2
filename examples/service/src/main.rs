//! A small HTTP service on `appeal`, as a union's case-management system
//! would run it: `POST /letter.pdf` with an appeal as JSON (the keys of the
//! appeal file) returns the PDF of one letter; a bad appeal returns 422 with
//! the diagnostics as JSON (code, message, hints, key path).
//!
//! One [`Engine`] (templates, registry) and one [`PdfCache`] serve every
//! request; rendering runs on tokio's blocking threads.
//!
//! Run: `cargo run -p appeal-service [ADDRESS]` (default 127.0.0.1:3000), then
//! `curl -d @appeal.json -H 'content-type: application/json' localhost:3000/letter.pdf?to=ilo-dg -o letter.pdf`.

use std::sync::Arc;

use appeal::render::{PdfCache, PdfOptions, pdf};
use appeal::{Appeal, Diagnostic, Diagnostics, Engine, ResolveOptions};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

/// What every request shares.
struct Service {
    engine: Engine,
    pdf: PdfOptions,
}

/// `?to=ID`: the recipient whose letter to return (default: the first).
#[derive(Deserialize)]
struct Letter {
    to: Option<String>,
}

/// The service's routes.
fn router() -> Router {
    let service = Service {
        engine: Engine::builtin(),
        pdf: PdfOptions {
            cache: PdfCache::new(16 * 1024 * 1024),
            ..PdfOptions::default()
        },
    };
    Router::new()
        .route("/letter.pdf", post(letter_pdf))
        .with_state(Arc::new(service))
}

async fn letter_pdf(
    State(service): State<Arc<Service>>,
    Query(query): Query<Letter>,
    body: Bytes,
) -> Response {
    let appeal: Appeal = match serde_json::from_slice(&body) {
        Ok(appeal) => appeal,
        Err(error) => {
            return problem(Diagnostic::new("json", error.to_string()).into());
        }
    };
    let rendered = tokio::task::spawn_blocking(move || {
        let options = ResolveOptions {
            to: query.to.into_iter().collect(),
            ..ResolveOptions::default()
        };
        let letters = service.engine.letters_with(&appeal, &options)?;
        pdf(&letters[0], &service.pdf).map_err(|error| error.into_diagnostics())
    })
    .await;
    match rendered {
        Ok(Ok(bytes)) => ([(header::CONTENT_TYPE, "application/pdf")], bytes).into_response(),
        Ok(Err(diagnostics)) => problem(diagnostics),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// 422 with the diagnostics as JSON.
fn problem(diagnostics: Diagnostics) -> Response {
    let body = serde_json::json!({ "diagnostics": diagnostics });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    eprintln!("appeal-service on http://{address}/letter.pdf");
    axum::serve(listener, router()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{Body, to_bytes};
    use axum::http::Request;
    use tower::ServiceExt;

    const APPEAL: &str = r#"{
        "template": "ilo-intervention",
        "date": "2021-03-01",
        "place": "Geneva",
        "subject": "Stop repression against independent trade unions in Belarus",
        "recipients": ["ilo-dg", "fnpr"],
        "demands": ["stop the interference in trade union affairs"],
        "sender": { "organisation": "IndustriALL Global Union" },
        "signatory": { "name": "Valter Sanchez", "title": "General Secretary" }
    }"#;

    async fn post(uri: &str, body: &str) -> (StatusCode, Option<String>, Vec<u8>) {
        let request = Request::post(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap();
        let response = router().oneshot(request).await.unwrap();
        let status = response.status();
        let kind = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, kind, bytes.to_vec())
    }

    #[tokio::test]
    async fn returns_the_pdf_of_the_chosen_letter() {
        let (status, kind, bytes) = post("/letter.pdf?to=fnpr", APPEAL).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(kind.as_deref(), Some("application/pdf"));
        assert!(bytes.starts_with(b"%PDF-"));
    }

    #[tokio::test]
    async fn returns_diagnostics_for_a_bad_appeal() {
        let (status, _, bytes) = post("/letter.pdf", &APPEAL.replace("ilo-dg", "ilo-gd")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(json["diagnostics"][0]["code"], "unknown-recipient");
        assert_eq!(json["diagnostics"][0]["path"], "recipients[0]");
        assert_eq!(json["diagnostics"][0]["location"], serde_json::Value::Null);

        let (status, _, bytes) = post("/letter.pdf", "{\"template\": 1}").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(json["diagnostics"][0]["code"], "json");
    }
}
