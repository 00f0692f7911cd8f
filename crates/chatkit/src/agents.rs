//! The agents this instance serves: loaded from the files `agents.paths` names (checked, every
//! problem reported at start-up and by `chatkit check-config`), or, with none, one built-in
//! assistant, or, in demo mode, the example agents of `examples/agents/` embedded in the binary.
//! Also `GET /api/agents`, which lists them for the playground and the built-in UI.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use chatkit_agents::catalog::{Agent, Tool};
use chatkit_agents::definition::{self, LoadedFile};
use chatkit_agents::input::AttachmentSource;
use chatkit_agents::provider::{self, ProviderConfig};
use chatkit_agents::{AgentResponder, Catalog, CatalogOptions};
use rust_embed::RustEmbed;
use secrecy::SecretString;
use serde::Serialize;

use crate::attachments::LocalAttachments;
use crate::config::Config;
use crate::state::AppState;

/// The example agents, served in demo mode when no agent files are configured.
#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/../../examples/agents"]
struct Examples;

/// Loads and checks the agents `config` asks for; the error names every problem, one per line.
pub fn load(config: &Config) -> anyhow::Result<Catalog> {
    load_checked(config).map_err(|problems| {
        anyhow::anyhow!(
            "the agent configuration has {} problem(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        )
    })
}

/// [`load`], with one line per problem.
fn load_checked(config: &Config) -> Result<Catalog, Vec<String>> {
    let files = files(config)?;
    let openai = openai_provider(config);
    let demo_key = SecretString::from("sk-demo-simulated");
    let demo = config.demo.then(|| {
        (
            config
                .openai
                .base_url
                .clone()
                .unwrap_or_else(|| format!("{}/v1", config.openai.api_base())),
            demo_key,
        )
    });
    // In demo mode the support example's order service is the demo one this server runs
    // (without a known origin, e.g. in tests, a closed port: its tools then fail visibly).
    let demo_orders = config.demo.then(|| {
        let origin = config
            .demo_origin
            .clone()
            .unwrap_or_else(|| "http://127.0.0.1:9".to_owned());
        format!("{origin}{}", crate::demo::ORDERS_PATH)
    });
    let env = move |name: &str| -> Option<String> {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| match name {
                "ORDERS_API_URL" => demo_orders.clone(),
                "ORDERS_API_TOKEN" if demo_orders.is_some() => {
                    Some(crate::demo::ORDERS_TOKEN.to_owned())
                }
                _ => None,
            })
    };
    Catalog::build(
        &files,
        &CatalogOptions {
            openai,
            env: &env,
            demo,
        },
    )
    .map_err(|problems| problems.iter().map(ToString::to_string).collect())
}

/// The agent files: configured ones, the examples in demo mode, or the built-in assistant.
fn files(config: &Config) -> Result<Vec<LoadedFile>, Vec<String>> {
    if !config.agents.paths.is_empty() {
        let paths: Vec<PathBuf> = config.agents.paths.iter().map(PathBuf::from).collect();
        let (files, problems) = definition::read_all(&paths);
        if !problems.is_empty() {
            return Err(problems.iter().map(ToString::to_string).collect());
        }
        return Ok(files);
    }
    if config.demo {
        let mut names: Vec<_> = Examples::iter().filter(|n| n.ends_with(".toml")).collect();
        names.sort();
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for name in names {
            let Some(file) = Examples::get(&name) else {
                continue;
            };
            let path = Path::new("examples/agents").join(name.as_ref());
            match std::str::from_utf8(&file.data) {
                Ok(text) => match definition::parse(&path, text) {
                    Ok(loaded) => files.push(loaded),
                    Err(problem) => problems.push(problem.to_string()),
                },
                Err(_) => problems.push(format!("{}: not UTF-8", path.display())),
            }
        }
        if !files.is_empty() || !problems.is_empty() {
            return if problems.is_empty() {
                Ok(files)
            } else {
                Err(problems)
            };
        }
    }
    let text = builtin_assistant(&config.protocol.default_agent, &config.agents.model);
    definition::parse(Path::new("(built-in assistant)"), &text)
        .map(|file| vec![file])
        .map_err(|problem| vec![problem.to_string()])
}

/// The agent served when no agent files are configured.
fn builtin_assistant(id: &str, model: &str) -> String {
    let quote = |s: &str| toml::Value::String(s.to_owned()).to_string();
    format!(
        "[[agent]]\nid = {}\nname = \"Assistant\"\ndefault = true\nmodel = {}\n\
         instructions = \"You are a helpful, concise assistant.\"\n",
        quote(id),
        quote(model)
    )
}

/// The built-in `openai` provider: the Responses API at the configured base URL and key.
fn openai_provider(config: &Config) -> ProviderConfig {
    let o = &config.openai;
    let base = o
        .base_url
        .clone()
        .unwrap_or_else(|| format!("{}/v1", o.api_base()));
    let key = o
        .api_key
        .as_ref()
        .map(|k| SecretString::from(k.expose().to_owned()));
    let mut provider = ProviderConfig {
        base_url: base,
        api_key: key,
        connect_timeout: std::time::Duration::from_millis(o.connect_timeout_ms),
        max_retries: o.max_retries,
        ..ProviderConfig::default()
    };
    if let Some(org) = &o.organization {
        provider
            .headers
            .push(("OpenAI-Organization".into(), org.clone()));
    }
    if let Some(project) = &o.project {
        provider
            .headers
            .push(("OpenAI-Project".into(), project.clone()));
    }
    provider
}

/// One responder per agent, by id. An agent whose provider has no key still answers, with an
/// error saying so.
pub fn responders(
    catalog: &Catalog,
    attachments: Option<Arc<LocalAttachments>>,
) -> anyhow::Result<Vec<(String, AgentResponder)>> {
    let http = reqwest::Client::builder()
        .tcp_nodelay(true)
        .connect_timeout(std::time::Duration::from_secs(10))
        .build()?;
    let source = attachments.map(|a| a as Arc<dyn AttachmentSource>);
    let mut clients = std::collections::BTreeMap::new();
    for (name, config) in &catalog.providers {
        let client =
            if config.api_key.is_none() && name == definition::OPENAI_PROVIDER {
                None
            } else {
                Some(provider::connect(config.clone()).map_err(|e| {
                    anyhow::anyhow!("cannot set up the model provider `{name}`: {e}")
                })?)
            };
        clients.insert(name.clone(), client);
    }
    Ok(catalog
        .agents
        .iter()
        .map(|agent| {
            let client = clients.get(&agent.provider).cloned().flatten();
            (
                agent.id.clone(),
                AgentResponder::new(agent.clone(), client, http.clone(), source.clone()),
            )
        })
        .collect())
}

/// One agent as `GET /api/agents` lists it.
#[derive(Debug, Serialize)]
pub struct AgentSummary {
    /// Its id: the widget's `api.url` is `/chatkit/<id>`.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether `POST /chatkit` serves it.
    pub default: bool,
    /// Its endpoint path.
    pub url: String,
    /// The models the composer may pick (the first is the default).
    pub models: Vec<String>,
    /// The tools the composer may force (`inference_options.tool_choice`).
    pub tools: Vec<ToolSummary>,
    /// The start screen's greeting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub greeting: Option<String>,
    /// The start screen's prompts.
    pub prompts: Vec<chatkit_agents::definition::PromptDef>,
    /// Whether dictation works.
    pub transcription: bool,
}

/// A tool as `GET /api/agents` lists it.
#[derive(Debug, Serialize)]
pub struct ToolSummary {
    /// Its name (the composer's tool id).
    pub id: String,
    /// `client`, `http` or `showcase`.
    pub kind: &'static str,
    /// What it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The summary of `agent`.
pub fn summary(agent: &Agent) -> AgentSummary {
    let mut models = vec![agent.model.clone()];
    models.extend(
        agent
            .composer_models
            .iter()
            .filter(|m| **m != agent.model)
            .cloned(),
    );
    AgentSummary {
        id: agent.id.clone(),
        name: agent.name.clone(),
        description: agent.description.clone(),
        default: agent.default,
        url: format!("/chatkit/{}", agent.id),
        models,
        tools: agent
            .tools
            .iter()
            .map(|tool| ToolSummary {
                id: tool.function().name.clone(),
                kind: match tool {
                    Tool::Client { .. } => "client",
                    Tool::Http { .. } => "http",
                    Tool::Showcase { .. } => "showcase",
                },
                description: tool.function().description.clone(),
            })
            .collect(),
        greeting: agent.greeting.clone(),
        prompts: agent.prompts.clone(),
        transcription: agent.transcription_model.is_some(),
    }
}

/// `GET /api/agents`: the agents a caller may use.
pub async fn list(State(state): State<AppState>) -> Json<serde_json::Value> {
    let agents: Vec<AgentSummary> = state.catalog.agents.iter().map(|a| summary(a)).collect();
    Json(serde_json::json!({ "data": agents, "demo": state.config.demo }))
}
