//! Configuration tests: layering, the environment names existing apps use, and the messages for
//! values out of range.

use std::collections::HashMap;

use super::settings::{SETTINGS, markdown_table};
use super::*;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn load(toml: Option<&str>, pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_sources(toml, &env(pairs))
}

fn problems(toml: Option<&str>, pairs: &[(&str, &str)]) -> String {
    load(toml, pairs).unwrap_err().problems.join("\n")
}

#[test]
fn defaults_follow_the_seed_apps() {
    let config = load(None, &[]).unwrap();
    assert_eq!(config.server.port, 8787);
    assert_eq!(config.server.host.to_string(), "127.0.0.1");
    assert_eq!(config.identity.cookie_name, "chatkit_session_id");
    assert!(config.hosted.enable_uploads);
    assert_eq!(config.hosted.max_files, 5);
    assert_eq!(config.hosted.max_file_size_mb, 10);
    assert_eq!(config.openai.api_base(), "https://api.openai.com");
    assert_eq!(
        config.openai.base_url.as_deref(),
        Some("https://api.openai.com/v1")
    );
    assert!(config.server.cors_origins.is_empty());
    assert!(config.byo_key_enabled());
}

#[test]
fn environment_beats_dotenv_style_maps_beats_toml_beats_defaults() {
    let toml = "[server]\nport = 9000\n[hosted]\nmax_files = 3\n";
    let config = load(Some(toml), &[("PORT", "9100")]).unwrap();
    assert_eq!(config.server.port, 9100, "environment wins over TOML");
    assert_eq!(config.hosted.max_files, 3, "TOML wins over defaults");
}

#[test]
fn every_existing_environment_name_is_understood() {
    let config = load(
        None,
        &[
            ("OPENAI_API_KEY", "sk-test-123"),
            ("NEXT_PUBLIC_CHATKIT_WORKFLOW_ID", "wf_next"),
            ("VITE_CHATKIT_DOMAIN_KEY", "domain_pk_1"),
            ("CHATKIT_SESSION_COOKIE", "my_cookie"),
            ("CHATKIT_ENABLE_UPLOADS", "false"),
            ("CHATKIT_MAX_FILES", "2"),
            ("CHATKIT_MAX_FILE_SIZE_MB", "20"),
            ("CHATKIT_MAX_REQUESTS_PER_MINUTE", "15"),
            (
                "CHATKIT_CORS_ORIGIN",
                "https://a.example.com, https://b.example.com",
            ),
            ("CHATKIT_API_BASE", "http://127.0.0.1:9999/"),
            ("CHATKIT_DATA_DIR", "/srv/chatkit-data"),
            ("CHATKIT_PORT", "7000"),
            ("HOST", "0.0.0.0"),
            ("CHATKIT_FORCE_SECURE_COOKIE", "1"),
        ],
    )
    .unwrap();
    assert_eq!(
        config.openai.api_key.as_ref().unwrap().expose(),
        "sk-test-123"
    );
    assert_eq!(config.hosted.workflow_id.as_deref(), Some("wf_next"));
    assert_eq!(config.openai.domain_key.as_deref(), Some("domain_pk_1"));
    assert_eq!(config.identity.cookie_name, "my_cookie");
    assert!(!config.hosted.enable_uploads);
    assert_eq!(config.hosted.max_files, 2);
    assert_eq!(config.hosted.max_file_size_mb, 20);
    assert_eq!(config.hosted.max_requests_per_minute, 15);
    assert_eq!(
        config.server.cors_origins,
        vec!["https://a.example.com", "https://b.example.com"]
    );
    assert_eq!(config.openai.api_base(), "http://127.0.0.1:9999");
    assert_eq!(
        config.openai.base_url.as_deref(),
        Some("http://127.0.0.1:9999/v1")
    );
    assert_eq!(
        config.server.data_dir,
        std::path::PathBuf::from("/srv/chatkit-data")
    );
    assert_eq!(config.server.port, 7000, "CHATKIT_PORT when PORT is unset");
    assert!(config.identity.secure_cookie);
}

#[test]
fn the_first_workflow_alias_wins_and_empty_values_count_as_unset() {
    let config = load(
        None,
        &[
            ("CHATKIT_WORKFLOW_ID", ""),
            ("WORKFLOW_ID", "wf_blueprint"),
            ("VITE_CHATKIT_WORKFLOW_ID", "wf_vite"),
        ],
    )
    .unwrap();
    assert_eq!(config.hosted.workflow_id.as_deref(), Some("wf_blueprint"));
}

#[test]
fn the_api_base_is_derived_from_openai_base_url_when_only_that_is_set() {
    let config = load(None, &[("OPENAI_BASE_URL", "http://localhost:11434/v1")]).unwrap();
    assert_eq!(config.openai.api_base(), "http://localhost:11434");
}

#[test]
fn out_of_range_values_name_the_key_the_value_and_the_range() {
    let text = problems(
        None,
        &[
            ("CHATKIT_MAX_FILE_SIZE_MB", "513"),
            ("CHATKIT_MAX_FILES", "0"),
            ("CHATKIT_RECENT_THREADS", "0"),
            ("CHATKIT_SESSION_TTL_SECONDS", "601"),
            ("CHATKIT_MAX_REQUESTS_PER_MINUTE", "0"),
        ],
    );
    for expected in [
        "hosted.max_file_size_mb (CHATKIT_MAX_FILE_SIZE_MB) = 513: allowed 1..=512",
        "hosted.max_files (CHATKIT_MAX_FILES) = 0: allowed >= 1",
        "hosted.recent_threads (CHATKIT_RECENT_THREADS) = 0: allowed >= 1",
        "hosted.session_ttl_secs (CHATKIT_SESSION_TTL_SECONDS) = 601: allowed 1..=600",
        "hosted.max_requests_per_minute (CHATKIT_MAX_REQUESTS_PER_MINUTE) = 0: allowed >= 1",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn more_than_64_state_variables_are_refused() {
    let mut toml = String::from("[hosted.state_variables]\n");
    for i in 0..65 {
        toml.push_str(&format!("v{i} = {i}\n"));
    }
    let text = problems(Some(&toml), &[]);
    assert!(
        text.contains("hosted.state_variables = 65 variables"),
        "{text}"
    );
    assert!(text.contains("at most 64"), "{text}");
}

#[test]
fn the_seeds_reflect_any_origin_setting_is_refused_with_what_to_set_instead() {
    for value in ["true", "*", "https://ok.example.com,*"] {
        let text = problems(None, &[("CHATKIT_CORS_ORIGIN", value)]);
        assert!(
            text.contains("server.cors_origins (CHATKIT_CORS_ORIGIN)"),
            "{text}"
        );
        assert!(
            text.contains("CHATKIT_CORS_ORIGIN=https://app.example.com"),
            "{text}"
        );
    }
    let text = problems(
        None,
        &[("CHATKIT_CORS_ORIGIN", "https://a.example.com/path")],
    );
    assert!(text.contains("no path"), "{text}");
}

#[test]
fn bad_types_in_the_environment_name_the_variable() {
    let text = problems(
        None,
        &[("PORT", "eighty"), ("CHATKIT_ENABLE_UPLOADS", "maybe")],
    );
    assert!(
        text.contains("PORT (server.port) = \"eighty\": expected a whole number"),
        "{text}"
    );
    assert!(
        text.contains("CHATKIT_ENABLE_UPLOADS (hosted.enable_uploads) = \"maybe\""),
        "{text}"
    );
}

#[test]
fn secret_values_are_never_echoed_in_errors_or_the_printed_config() {
    let text = problems(None, &[("CHATKIT_COOKIE_KEY", "short-but-secret")]);
    assert!(!text.contains("short-but-secret"), "{text}");
    let config = load(None, &[("OPENAI_API_KEY", "sk-live-supersecret")]).unwrap();
    let printed = config.to_redacted_toml();
    assert!(!printed.contains("sk-live-supersecret"), "{printed}");
    assert!(printed.contains("[redacted]"), "{printed}");
    assert!(!format!("{config:?}").contains("sk-live-supersecret"));
}

#[test]
fn latest_is_refused_as_a_workflow_version() {
    let text = problems(None, &[("CHATKIT_WORKFLOW_VERSION", "latest")]);
    assert!(text.contains("hosted.workflow_version"), "{text}");
}

#[test]
fn auth_required_needs_a_way_to_verify_tokens() {
    let text = problems(None, &[("CHATKIT_AUTH_REQUIRED", "true")]);
    assert!(text.contains("CHATKIT_JWT_SECRET"), "{text}");
    let config = load(
        None,
        &[
            ("CHATKIT_AUTH_REQUIRED", "true"),
            ("CHATKIT_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ],
    )
    .unwrap();
    assert!(
        !config.byo_key_enabled(),
        "BYO keys are off when auth is required"
    );
}

#[test]
fn unknown_toml_keys_are_refused() {
    let err = load(Some("[server]\nprot = 1\n"), &[]).unwrap_err();
    assert!(err.to_string().contains("prot"), "{err}");
}

#[test]
fn every_documented_default_matches_the_code() {
    let defaults = toml::Value::try_from(load(None, &[]).unwrap()).unwrap();
    for setting in SETTINGS.iter().filter(|s| !s.default.starts_with('`')) {
        let (section, key) = setting.key.split_once('.').unwrap();
        let Some(value) = defaults.get(section).and_then(|s| s.get(key)) else {
            // Unset options have no value; their documented default says so.
            assert!(
                setting.default.starts_with("unset")
                    || setting.default.starts_with("generated")
                    || setting.default.starts_with("on,"),
                "{} has a default in the table but none in code",
                setting.key
            );
            continue;
        };
        let rendered = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Array(a) if a.is_empty() => "[]".into(),
            toml::Value::Table(t) if t.is_empty() => "{}".into(),
            other => other.to_string(),
        };
        assert!(
            setting.default.starts_with(&rendered),
            "{}: table says {:?}, code says {:?}",
            setting.key,
            setting.default,
            rendered
        );
    }
}

#[test]
fn the_readme_carries_the_current_configuration_table() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md at the repository root");
    assert!(
        readme.contains(&markdown_table()),
        "README.md's configuration table is stale: regenerate it with `cargo run -q -- docs config`"
    );
}

#[test]
fn every_configuration_key_has_a_row_in_the_settings_table() {
    let config = toml::Value::try_from(load(None, &[]).unwrap()).unwrap();
    let mut missing = Vec::new();
    for (section, table) in config.as_table().unwrap() {
        let Some(table) = table.as_table() else {
            continue;
        };
        for key in table.keys() {
            let dotted = format!("{section}.{key}");
            if !SETTINGS.iter().any(|s| s.key == dotted) {
                missing.push(dotted);
            }
        }
    }
    // Options that are unset by default do not appear in the rendered TOML; check them by name.
    for key in [
        "database.url",
        "protocol.scripted_agent",
        "protocol.heartbeat_secs",
        "server.metrics_addr",
        "openai.api_key",
    ] {
        if !SETTINGS.iter().any(|s| s.key == key) {
            missing.push(key.to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "keys without a settings row (and so without env names or docs): {missing:?}"
    );
}

#[test]
fn the_protocol_and_database_settings_are_read_from_the_environment() {
    let config = load(
        None,
        &[
            ("CHATKIT_SCRIPTED_AGENT", "bench"),
            ("CHATKIT_STREAM_LIMITS", "off"),
            ("DATABASE_URL", "postgres://u:p@db/chatkit"),
        ],
    )
    .unwrap();
    assert_eq!(config.protocol.scripted_agent.as_deref(), Some("bench"));
    assert!(!config.protocol.stream_limits);
    assert_eq!(
        config.database.url.as_ref().map(|u| u.expose()),
        Some("postgres://u:p@db/chatkit")
    );
}
