//! The simulator over real HTTP: shapes, validation, fault triggers, cancel and recording.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chatkit_sim::{SimHandle, Simulator, serve};
use futures::StreamExt;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};

const KEY: &str = "sk-test-0123456789abcdef";

fn client() -> Client {
    Client::builder().build().expect("client")
}

/// A create-session call with the right headers.
async fn create(sim: &SimHandle, body: &Value) -> Response {
    client()
        .post(format!("{}/v1/chatkit/sessions", sim.base_url()))
        .bearer_auth(KEY)
        .header("OpenAI-Beta", "chatkit_beta=v1")
        .json(body)
        .send()
        .await
        .expect("request sent")
}

/// A cancel call with the right headers.
async fn cancel(sim: &SimHandle, id: &str) -> Response {
    client()
        .post(format!(
            "{}/v1/chatkit/sessions/{id}/cancel",
            sim.base_url()
        ))
        .bearer_auth(KEY)
        .header("OpenAI-Beta", "chatkit_beta=v1")
        .send()
        .await
        .expect("request sent")
}

fn minimal(workflow: &str) -> Value {
    json!({ "user": "u_7f3c", "workflow": { "id": workflow } })
}

/// The full example body of hosted-sessions §1.3.
fn full_body() -> Value {
    json!({
      "user": "u_7f3c:wf_abc",
      "workflow": { "id": "wf_abc", "version": "3",
                    "state_variables": { "plan": "pro", "beta": true, "seats": 4 },
                    "tracing": { "enabled": false } },
      "chatkit_configuration": {
        "automatic_thread_titling": { "enabled": true },
        "file_upload": { "enabled": true, "max_file_size": 10, "max_files": 5 },
        "history": { "enabled": true, "recent_threads": 20 } },
      "expires_after": { "anchor": "created_at", "seconds": 600 },
      "rate_limits": { "max_requests_per_1_minute": 10 }
    })
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Checks status and the OpenAI envelope (all four keys present) and returns the `error` object.
async fn expect_error(
    response: Response,
    status: StatusCode,
    kind: &str,
    code: Option<&str>,
    param: Option<&str>,
) -> Value {
    assert_eq!(response.status(), status);
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "errors are JSON"
    );
    assert!(response.headers().contains_key("x-request-id"));
    let body: Value = response.json().await.expect("JSON error body");
    let error = body["error"].clone();
    let keys: Vec<&String> = error.as_object().expect("error object").keys().collect();
    assert_eq!(keys.len(), 4, "exactly message, type, param, code: {error}");
    assert!(error["message"].is_string());
    assert_eq!(error["type"], kind, "{error}");
    assert_eq!(error["code"].as_str(), code, "{error}");
    assert_eq!(error["param"].as_str(), param, "{error}");
    error
}

#[tokio::test]
async fn create_with_the_full_spec_body_returns_all_ten_fields_with_resolved_values() {
    let sim = SimHandle::spawn().await.unwrap();

    let response = create(&sim, &full_body()).await;

    assert_eq!(response.status(), StatusCode::OK);
    let request_id = response.headers()["x-request-id"].to_str().unwrap();
    assert!(request_id.starts_with("req_") && request_id.len() == 36);
    let ms: u64 = response.headers()["openai-processing-ms"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(ms < 10_000);
    let session: Value = response.json().await.unwrap();
    assert_eq!(session.as_object().unwrap().len(), 10, "{session}");
    let id = session["id"].as_str().unwrap();
    assert!(id.starts_with("cksess_") && id.len() == 7 + 32);
    assert!(id[7..].bytes().all(|b| b.is_ascii_hexdigit()));
    let secret = session["client_secret"].as_str().unwrap();
    assert!(secret.starts_with("ek_") && secret.len() > 40);
    let expires_at = session["expires_at"].as_u64().unwrap();
    assert!((now() + 598..=now() + 601).contains(&expires_at));
    let rest = json!({
        "object": "chatkit.session",
        "status": "active",
        "max_requests_per_1_minute": 10,
        "rate_limits": { "max_requests_per_1_minute": 10 },
        "user": "u_7f3c:wf_abc",
        "workflow": { "id": "wf_abc", "version": "3",
                      "state_variables": { "plan": "pro", "beta": true, "seats": 4 },
                      "tracing": { "enabled": false } },
        "chatkit_configuration": {
            "automatic_thread_titling": { "enabled": true },
            "file_upload": { "enabled": true, "max_file_size": 10, "max_files": 5 },
            "history": { "enabled": true, "recent_threads": 20 } }
    });
    for (key, expected) in rest.as_object().unwrap() {
        assert_eq!(&session[key], expected, "field {key}");
    }
}

#[tokio::test]
async fn create_with_a_minimal_body_resolves_the_documented_defaults() {
    let sim = SimHandle::spawn().await.unwrap();

    let session: Value = create(&sim, &minimal("wf_abc")).await.json().await.unwrap();

    assert_eq!(session["status"], "active");
    assert_eq!(session["max_requests_per_1_minute"], 10);
    assert_eq!(
        session["rate_limits"],
        json!({ "max_requests_per_1_minute": 10 })
    );
    assert_eq!(
        session["workflow"],
        json!({ "id": "wf_abc", "version": null, "state_variables": null, "tracing": { "enabled": true } })
    );
    assert_eq!(
        session["chatkit_configuration"],
        json!({ "automatic_thread_titling": { "enabled": true },
                "file_upload": { "enabled": false, "max_file_size": 512, "max_files": 10 },
                "history": { "enabled": true, "recent_threads": null } })
    );
    let expires_at = session["expires_at"].as_u64().unwrap();
    assert!((now() + 598..=now() + 601).contains(&expires_at));
}

#[tokio::test]
async fn expires_after_seconds_sets_expires_at() {
    let sim = SimHandle::spawn().await.unwrap();
    let mut body = minimal("wf_abc");
    body["expires_after"] = json!({ "anchor": "created_at", "seconds": 60 });

    let session: Value = create(&sim, &body).await.json().await.unwrap();

    let expires_at = session["expires_at"].as_u64().unwrap();
    assert!((now() + 58..=now() + 61).contains(&expires_at));
}

#[tokio::test]
async fn each_status_fault_trigger_returns_its_status_and_error_shape() {
    let sim = SimHandle::spawn().await.unwrap();
    let cases = [
        (
            "wf_400",
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some("invalid_workflow"),
            Some("workflow.id"),
        ),
        (
            "wf_401",
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            Some("invalid_api_key"),
            None,
        ),
        (
            "wf_403",
            StatusCode::FORBIDDEN,
            "invalid_request_error",
            None,
            None,
        ),
        (
            "wf_404",
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            None,
            None,
        ),
        (
            "wf_429",
            StatusCode::TOO_MANY_REQUESTS,
            "requests",
            Some("rate_limit_exceeded"),
            None,
        ),
        (
            "wf_500",
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            None,
            None,
        ),
    ];
    for (workflow, status, kind, code, param) in cases {
        let response = create(&sim, &minimal(workflow)).await;
        let error = expect_error(response, status, kind, code, param).await;
        let message = error["message"].as_str().unwrap();
        match workflow {
            "wf_401" => {
                assert!(message.starts_with("Incorrect API key provided"));
                assert!(!message.contains(KEY), "the key is masked: {message}");
            }
            "wf_403" => {
                assert_eq!(
                    message,
                    "You have insufficient permissions for this operation."
                )
            }
            "wf_404" => assert_eq!(message, "Workflow with id 'wf_404' not found."),
            _ => {}
        }
    }
}

#[tokio::test]
async fn the_rate_limit_trigger_sends_retry_after() {
    let sim = SimHandle::spawn().await.unwrap();

    let response = create(&sim, &minimal("wf_429")).await;

    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "1");
}

#[tokio::test]
async fn the_flaky_trigger_fails_odd_calls_and_succeeds_even_ones() {
    let sim = SimHandle::spawn().await.unwrap();

    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(create(&sim, &minimal("wf_flaky")).await.status());
    }

    let fail = StatusCode::INTERNAL_SERVER_ERROR;
    let ok = StatusCode::OK;
    assert_eq!(statuses, [fail, ok, fail, ok, fail]);
}

#[tokio::test]
async fn the_slow_trigger_succeeds_after_the_slow_delay() {
    let sim = SimHandle::spawn().await.unwrap();
    let _ = sim.sim.clone().with_slow_delay(Duration::from_millis(300));

    let started = Instant::now();
    let response = create(&sim, &minimal("wf_slow")).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn the_hang_trigger_never_answers_so_the_client_times_out() {
    let sim = SimHandle::spawn().await.unwrap();

    let error = client()
        .post(format!("{}/v1/chatkit/sessions", sim.base_url()))
        .bearer_auth(KEY)
        .header("OpenAI-Beta", "chatkit_beta=v1")
        .json(&minimal("wf_hang"))
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .expect_err("no answer");

    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn shutdown_ends_a_hanging_request_by_cutting_its_connection() {
    let sim = SimHandle::spawn().await.unwrap();
    let url = format!("{}/v1/chatkit/sessions", sim.base_url());
    let pending = tokio::spawn(async move {
        client()
            .post(url)
            .bearer_auth(KEY)
            .header("OpenAI-Beta", "chatkit_beta=v1")
            .json(&minimal("wf_hang"))
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(200)).await;

    tokio::time::timeout(Duration::from_secs(5), sim.shutdown())
        .await
        .expect("shutdown does not wait for the hanging request");

    let outcome = tokio::time::timeout(Duration::from_secs(5), pending)
        .await
        .expect("the client is released")
        .unwrap();
    match outcome {
        Err(_) => {}
        Ok(response) => assert!(response.bytes().await.is_err()),
    }
}

#[tokio::test]
async fn the_reset_trigger_breaks_the_connection_before_any_response() {
    let sim = SimHandle::spawn().await.unwrap();

    let error = client()
        .post(format!("{}/v1/chatkit/sessions", sim.base_url()))
        .bearer_auth(KEY)
        .header("OpenAI-Beta", "chatkit_beta=v1")
        .json(&minimal("wf_reset"))
        .send()
        .await
        .expect_err("no response arrives");

    assert!(error.is_request() && !error.is_timeout(), "{error:?}");
    assert!(error.status().is_none());
    let mut innermost: &dyn std::error::Error = &error;
    while let Some(cause) = innermost.source() {
        innermost = cause;
    }
    assert_eq!(
        innermost.to_string(),
        "connection closed before message completed"
    );
}

#[tokio::test]
async fn the_badjson_trigger_answers_200_with_json_that_does_not_parse() {
    let sim = SimHandle::spawn().await.unwrap();

    let response = create(&sim, &minimal("wf_badjson")).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let bytes = response.bytes().await.unwrap();
    assert!(serde_json::from_slice::<Value>(&bytes).is_err());
}

#[tokio::test]
async fn unknown_parameters_are_rejected_with_their_dotted_path() {
    let sim = SimHandle::spawn().await.unwrap();
    let mut nested = minimal("wf_abc");
    nested["chatkit_configuration"] = json!({ "history": { "enabled": true, "limit": 3 } });
    let mut top = minimal("wf_abc");
    top["expires_after_seconds"] = json!(60);

    let nested = expect_error(
        create(&sim, &nested).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        Some("unknown_parameter"),
        Some("chatkit_configuration.history.limit"),
    )
    .await;
    let top = expect_error(
        create(&sim, &top).await,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        Some("unknown_parameter"),
        Some("expires_after_seconds"),
    )
    .await;

    assert_eq!(
        nested["message"],
        "Unknown parameter: 'chatkit_configuration.history.limit'."
    );
    assert_eq!(
        top["message"],
        "Unknown parameter: 'expires_after_seconds'."
    );
}

#[tokio::test]
async fn invalid_bodies_are_rejected_with_param_and_code() {
    let sim = SimHandle::spawn().await.unwrap();
    let too_many: serde_json::Map<String, Value> =
        (0..65).map(|i| (format!("v{i}"), json!(i))).collect();
    let cases = [
        (
            json!({ "workflow": { "id": "wf_a" } }),
            "missing_required_parameter",
            "user",
        ),
        (
            json!({ "user": "", "workflow": { "id": "wf_a" } }),
            "string_below_min_length",
            "user",
        ),
        (
            json!({ "user": "u" }),
            "missing_required_parameter",
            "workflow",
        ),
        (
            json!({ "user": "u", "workflow": {} }),
            "missing_required_parameter",
            "workflow.id",
        ),
        (
            json!({ "user": 7, "workflow": { "id": "wf_a" } }),
            "invalid_type",
            "user",
        ),
        (
            json!({ "user": "u", "workflow": { "id": "wf_a", "version": null } }),
            "invalid_type",
            "workflow.version",
        ),
        (
            json!({ "user": "u", "workflow": { "id": "wf_a", "state_variables": too_many } }),
            "object_above_max_properties",
            "workflow.state_variables",
        ),
        (
            json!({ "user": "u", "workflow": { "id": "wf_a", "state_variables": { "x": [1] } } }),
            "invalid_type",
            "workflow.state_variables.x",
        ),
        (
            json!({ "user": "u", "workflow": { "id": "wf_a" }, "expires_after": { "anchor": "created_at", "seconds": 601 } }),
            "integer_above_max_value",
            "expires_after.seconds",
        ),
        (
            json!({ "user": "u", "workflow": { "id": "wf_a" }, "expires_after": { "anchor": "created_at", "seconds": 0 } }),
            "integer_below_min_value",
            "expires_after.seconds",
        ),
        (
            json!({ "user": "u", "workflow": { "id": "wf_a" }, "expires_after": { "anchor": "created_at" } }),
            "missing_required_parameter",
            "expires_after.seconds",
        ),
        (
            json!({ "user": "u", "workflow": { "id": "wf_a" }, "expires_after": { "anchor": "last_activity", "seconds": 60 } }),
            "invalid_value",
            "expires_after.anchor",
        ),
        (
            json!({ "user": "u", "workflow": { "id": "wf_a" }, "chatkit_configuration": { "file_upload": { "max_file_size": 513 } } }),
            "integer_above_max_value",
            "chatkit_configuration.file_upload.max_file_size",
        ),
        (
            json!({ "user": "u", "workflow": { "id": "wf_a" }, "chatkit_configuration": { "file_upload": { "max_files": 1.5 } } }),
            "invalid_type",
            "chatkit_configuration.file_upload.max_files",
        ),
        (
            json!({ "user": "u", "workflow": { "id": "wf_a" }, "chatkit_configuration": { "history": { "recent_threads": 0 } } }),
            "integer_below_min_value",
            "chatkit_configuration.history.recent_threads",
        ),
        (
            json!({ "user": "u", "workflow": { "id": "wf_a" }, "rate_limits": { "max_requests_per_1_minute": 0 } }),
            "integer_below_min_value",
            "rate_limits.max_requests_per_1_minute",
        ),
        (
            json!({ "user": "u", "workflow": { "id": "wf_a", "tracing": { "enabled": "yes" } } }),
            "invalid_type",
            "workflow.tracing.enabled",
        ),
    ];
    for (body, code, param) in cases {
        let response = create(&sim, &body).await;
        expect_error(
            response,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some(code),
            Some(param),
        )
        .await;
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_rejected() {
    let sim = SimHandle::spawn().await.unwrap();

    let response = client()
        .post(format!("{}/v1/chatkit/sessions", sim.base_url()))
        .bearer_auth(KEY)
        .header("OpenAI-Beta", "chatkit_beta=v1")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();

    let error = expect_error(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        None,
        None,
    )
    .await;
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .starts_with("We could not parse the JSON body")
    );
}

#[tokio::test]
async fn a_missing_beta_header_is_rejected() {
    let sim = SimHandle::spawn().await.unwrap();

    let response = client()
        .post(format!("{}/v1/chatkit/sessions", sim.base_url()))
        .bearer_auth(KEY)
        .json(&minimal("wf_abc"))
        .send()
        .await
        .unwrap();

    let error = expect_error(
        response,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        Some("invalid_beta"),
        None,
    )
    .await;
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("OpenAI-Beta: chatkit_beta=v1")
    );
}

#[tokio::test]
async fn a_missing_or_empty_api_key_is_rejected_before_anything_else() {
    let sim = SimHandle::spawn().await.unwrap();
    let url = format!("{}/v1/chatkit/sessions", sim.base_url());

    let missing = client().post(&url).body("garbage").send().await.unwrap();
    let empty = client()
        .post(&url)
        .header("authorization", "Bearer ")
        .header("OpenAI-Beta", "chatkit_beta=v1")
        .json(&minimal("wf_abc"))
        .send()
        .await
        .unwrap();

    for response in [missing, empty] {
        let error = expect_error(
            response,
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            None,
            None,
        )
        .await;
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .starts_with("You didn't provide an API key.")
        );
    }
}

#[tokio::test]
async fn cancel_returns_the_session_with_status_cancelled() {
    let sim = SimHandle::spawn().await.unwrap();
    let created: Value = create(&sim, &full_body()).await.json().await.unwrap();
    let id = created["id"].as_str().unwrap();

    let response = cancel(&sim, id).await;

    assert_eq!(response.status(), StatusCode::OK);
    let cancelled: Value = response.json().await.unwrap();
    let mut expected = created.clone();
    expected["status"] = json!("cancelled");
    assert_eq!(cancelled, expected);
}

#[tokio::test]
async fn cancel_of_an_unknown_session_is_404() {
    let sim = SimHandle::spawn().await.unwrap();

    for id in ["cksess_00000000000000000000000000000000", "nope"] {
        let error = expect_error(
            cancel(&sim, id).await,
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            None,
            None,
        )
        .await;
        assert_eq!(
            error["message"],
            format!("Chatkit Session with id '{id}' not found.")
        );
    }
}

#[tokio::test]
async fn cancel_checks_auth_and_the_beta_header() {
    let sim = SimHandle::spawn().await.unwrap();
    let created: Value = create(&sim, &minimal("wf_abc")).await.json().await.unwrap();
    let url = format!(
        "{}/v1/chatkit/sessions/{}/cancel",
        sim.base_url(),
        created["id"].as_str().unwrap()
    );

    let no_key = client()
        .post(&url)
        .header("OpenAI-Beta", "chatkit_beta=v1")
        .send()
        .await
        .unwrap();
    let no_beta = client().post(&url).bearer_auth(KEY).send().await.unwrap();

    assert_eq!(no_key.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(no_beta.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn unknown_urls_get_a_json_404() {
    let sim = SimHandle::spawn().await.unwrap();

    let post = client()
        .post(format!("{}/v1/xyz", sim.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    let wrong_method = client()
        .get(format!("{}/v1/chatkit/sessions", sim.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();

    let post = expect_error(
        post,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        None,
        None,
    )
    .await;
    let wrong_method = expect_error(
        wrong_method,
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        None,
        None,
    )
    .await;
    assert_eq!(post["message"], "Invalid URL (POST /v1/xyz)");
    assert_eq!(
        wrong_method["message"],
        "Invalid URL (GET /v1/chatkit/sessions)"
    );
}

#[tokio::test]
async fn audio_transcription_answers_any_multipart_body() {
    let sim = SimHandle::spawn().await.unwrap();
    let body = "--XyZ\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n\
                --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"audio.webm\"\r\n\
                Content-Type: audio/webm\r\n\r\nnot really audio\r\n--XyZ--\r\n";

    let response = client()
        .post(format!("{}/v1/audio/transcriptions", sim.base_url()))
        .bearer_auth(KEY)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(body)
        .send()
        .await
        .unwrap();
    let unauthenticated = client()
        .post(format!("{}/v1/audio/transcriptions", sim.base_url()))
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(body)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let reply: Value = response.json().await.unwrap();
    assert_eq!(
        reply,
        json!({ "text": "This is a simulated transcription." })
    );
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    let recorded = sim.sim.requests();
    assert!(
        recorded[0].body.as_str().unwrap().contains("audio.webm"),
        "non-JSON bodies are recorded as text"
    );
}

#[tokio::test]
async fn recording_keeps_method_path_headers_and_body() {
    let sim = SimHandle::spawn().await.unwrap();

    create(&sim, &full_body()).await;

    let recorded = sim.sim.requests();
    assert_eq!(recorded.len(), 1);
    let request = &recorded[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/chatkit/sessions");
    assert_eq!(request.headers["authorization"], format!("Bearer {KEY}"));
    assert_eq!(request.headers["openai-beta"], "chatkit_beta=v1");
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(request.body, full_body());
}

#[tokio::test]
async fn the_control_routes_list_and_clear_recorded_requests() {
    let sim = SimHandle::spawn().await.unwrap();
    create(&sim, &minimal("wf_abc")).await;
    let base = sim.base_url();

    let listed: Value = client()
        .get(format!("{base}/__sim/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cleared = client()
        .delete(format!("{base}/__sim/requests"))
        .send()
        .await
        .unwrap();
    let health: Value = client()
        .get(format!("{base}/__sim/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "control routes are not recorded");
    assert_eq!(listed[0]["path"], "/v1/chatkit/sessions");
    assert_eq!(listed[0]["body"], minimal("wf_abc"));
    assert!(cleared.status().is_success());
    assert!(sim.sim.requests().is_empty());
    assert_eq!(health, json!({ "status": "ok" }));
}

#[tokio::test]
async fn recording_keeps_only_the_most_recent_ten_thousand_requests() {
    let sim = SimHandle::spawn().await.unwrap();
    let client = client();
    let base = sim.base_url();

    futures::stream::iter(0..10_050)
        .map(|i| {
            let request = client.get(format!("{base}/v1/n/{i}")).send();
            async move { request.await.unwrap().status() }
        })
        .buffer_unordered(32)
        .for_each(|_| async {})
        .await;

    let recorded = sim.sim.requests();
    assert_eq!(recorded.len(), 10_000);
    // The 50 oldest are gone (arrival order is only roughly request order under concurrency).
    let kept_first = recorded
        .iter()
        .filter(|r| {
            let n: usize = r.path.rsplit('/').next().unwrap().parse().unwrap();
            n < 10
        })
        .count();
    assert!(kept_first < 10, "early requests were evicted");
}

#[tokio::test]
async fn with_recording_off_nothing_is_kept() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sim = Simulator::new().with_recording(false);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, sim.clone(), async move {
        let _ = stopped.await;
    }));

    let response = client()
        .post(format!("http://{addr}/v1/chatkit/sessions"))
        .bearer_auth(KEY)
        .header("OpenAI-Beta", "chatkit_beta=v1")
        .json(&minimal("wf_abc"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert!(sim.requests().is_empty());
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
