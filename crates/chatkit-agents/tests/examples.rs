//! The example agent files in `examples/agents/` load and check cleanly, together and one by
//! one, and say what the docs say they do.

use std::path::PathBuf;

use chatkit_agents::catalog::{Catalog, CatalogOptions, Tool};
use chatkit_agents::definition::{ToolDisplay, read_all};
use chatkit_agents::provider::{ProviderConfig, ProviderKind};
use chatkit_agents::showcase::KINDS;
use secrecy::SecretString;

/// The environment the examples expect: the support agent's order service.
fn env(name: &str) -> Option<String> {
    match name {
        "ORDERS_API_URL" => Some("http://127.0.0.1:8790/orders".into()),
        "ORDERS_API_TOKEN" => Some("orders-token".into()),
        _ => None,
    }
}

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/agents")
}

fn build(paths: &[PathBuf]) -> Catalog {
    let (files, problems) = read_all(paths);
    assert!(problems.is_empty(), "{problems:#?}");
    let catalog = Catalog::build(
        &files,
        &CatalogOptions {
            openai: ProviderConfig::openai("http://127.0.0.1:1/v1", SecretString::from("sk-test")),
            env: &env,
            demo: None,
        },
    );
    match catalog {
        Ok(catalog) => catalog,
        Err(problems) => panic!(
            "{}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn kind(tool: &Tool) -> &'static str {
    match tool {
        Tool::Client { .. } => "client",
        Tool::Http { .. } => "http",
        Tool::Showcase { .. } => "showcase",
    }
}

fn tools(catalog: &Catalog, agent: &str) -> Vec<(String, &'static str)> {
    catalog
        .agent(agent)
        .unwrap_or_else(|| panic!("no agent {agent}"))
        .tools
        .iter()
        .map(|t| (t.function().name.clone(), kind(t)))
        .collect()
}

fn owned(list: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
    list.iter().map(|(n, k)| ((*n).to_owned(), *k)).collect()
}

#[test]
fn the_example_directory_loads_as_one_catalog() {
    let catalog = build(&[examples_dir()]);

    let mut ids: Vec<&str> = catalog.agents.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["assistant", "local", "showcase", "support"]);

    let defaults: Vec<&str> = catalog
        .agents
        .iter()
        .filter(|a| a.default)
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(defaults, ["assistant"], "exactly one default agent");

    assert_eq!(
        tools(&catalog, "assistant"),
        owned(&[("get_page_info", "client")])
    );
    assert_eq!(
        tools(&catalog, "showcase"),
        owned(&[("show", "showcase"), ("get_page_info", "client")])
    );
    assert_eq!(
        tools(&catalog, "support"),
        owned(&[
            ("lookup_order", "http"),
            ("start_refund", "http"),
            ("open_order_page", "client"),
        ])
    );
    assert!(tools(&catalog, "local").is_empty());
}

#[test]
fn the_assistant_is_a_reasoning_model_on_openai_with_a_composer_choice() {
    let catalog = build(&[examples_dir().join("assistant.toml")]);
    let agent = catalog.agent("assistant").unwrap();
    assert_eq!(agent.provider, "openai");
    assert_eq!(agent.model, "gpt-5-mini");
    assert_eq!(agent.settings.reasoning_effort.as_deref(), Some("low"));
    assert_eq!(agent.settings.reasoning_summary.as_deref(), Some("auto"));
    assert!(agent.allows_model("gpt-5") && !agent.allows_model("gpt-4o"));
    assert_eq!(agent.title_model.as_deref(), Some("gpt-5-mini"));
    assert!(agent.greeting.is_some());
    assert_eq!(agent.prompts.len(), 3);
}

#[test]
fn the_showcase_prompts_cover_every_kind() {
    let catalog = build(&[examples_dir().join("showcase.toml")]);
    let agent = catalog.agent("showcase").unwrap();
    for kind in KINDS {
        let marker = format!("[[show:{kind}]]");
        assert!(
            agent.prompts.iter().any(|p| p.prompt == marker),
            "no prompt sends {marker}"
        );
    }
    assert_eq!(agent.prompts.len(), KINDS.len());
    for prompt in &agent.prompts {
        assert!(
            !prompt.label.contains("[["),
            "labels are readable: {}",
            prompt.label
        );
    }
    let Some(Tool::Showcase { client_tool, .. }) = agent.tool("show") else {
        panic!("a showcase tool named `show` (the simulator's marker calls that name)")
    };
    assert!(matches!(agent.tool(client_tool), Some(Tool::Client { .. })));
}

#[test]
fn the_support_agent_reads_its_service_and_state_from_the_environment_and_claims() {
    let catalog = build(&[examples_dir().join("support.toml")]);
    let agent = catalog.agent("support").unwrap();

    let Some(Tool::Http {
        endpoint,
        display,
        label,
        function,
    }) = agent.tool("lookup_order")
    else {
        panic!("lookup_order is an HTTP tool")
    };
    assert_eq!(endpoint.url.as_str(), "http://127.0.0.1:8790/orders/lookup");
    assert_eq!(endpoint.headers.len(), 1);
    assert_eq!(endpoint.headers[0].0.as_str(), "authorization");
    assert_eq!(endpoint.headers[0].1, "Bearer orders-token");
    assert_eq!(*display, ToolDisplay::Task);
    assert_eq!(label, "Looking up the order");
    assert_eq!(function.parameters["required"][0], "order_id");

    let approve = &agent.actions["refund.approve"];
    assert_eq!(
        approve.url.as_str(),
        "http://127.0.0.1:8790/orders/refunds/approve"
    );

    let name = &agent.state["customer_name"];
    assert_eq!(name.claim.as_deref(), Some("name"));
    assert_eq!(name.default, Some(serde_json::json!("there")));
    assert!(name.from_request);
    let plan = &agent.state["plan"];
    assert_eq!(plan.claim.as_deref(), Some("plan"));
    assert_eq!(plan.default, Some(serde_json::json!("free")));
    assert!(!plan.from_request);

    // A page may set the name but not the plan; a verified claim sets both.
    let request = serde_json::json!({"customer_name": "Ada", "plan": "pro"});
    let state = chatkit_agents::catalog::resolve_state(agent, request.as_object().unwrap());
    assert_eq!(state["customer_name"], "Ada");
    assert_eq!(state["plan"], "free");
    let request = serde_json::json!({"claim:plan": "pro", "claim:name": "Grace"});
    let state = chatkit_agents::catalog::resolve_state(agent, request.as_object().unwrap());
    assert_eq!(state["customer_name"], "Grace");
    assert_eq!(state["plan"], "pro");
}

#[test]
fn the_support_agent_names_a_missing_variable() {
    let (files, problems) = read_all(&[examples_dir().join("support.toml")]);
    assert!(problems.is_empty(), "{problems:#?}");
    let problems = Catalog::build(
        &files,
        &CatalogOptions {
            openai: ProviderConfig::openai("http://127.0.0.1:1/v1", SecretString::from("sk-test")),
            env: &|_| None,
            demo: None,
        },
    )
    .unwrap_err();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|p| p.contains("agent \"support\": `tools[0].url`")
                && p.contains("ORDERS_API_URL is not set")),
        "{text:#?}"
    );
}

#[test]
fn the_local_agent_talks_to_ollama_without_a_key() {
    let catalog = build(&[examples_dir().join("local-ollama.toml")]);
    let agent = catalog.agent("local").unwrap();
    assert_eq!(agent.provider, "ollama");
    assert_eq!(agent.model, "llama3.1:8b");
    assert_eq!(agent.title_model.as_deref(), Some("llama3.1:8b"));
    let ollama = &catalog.providers["ollama"];
    assert_eq!(ollama.kind, ProviderKind::ChatCompletions);
    assert_eq!(ollama.base_url, "http://127.0.0.1:11434/v1");
    assert!(ollama.api_key.is_none());
}

#[test]
fn each_example_file_loads_on_its_own() {
    let (files, problems) = read_all(&[examples_dir()]);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(files.len(), 4, "one agent per file");
    for file in files {
        let catalog = build(std::slice::from_ref(&file.path));
        assert_eq!(catalog.agents.len(), 1, "{}", file.path.display());
    }
}
