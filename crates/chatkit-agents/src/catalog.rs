//! From agent files to agents that can run: every field checked, providers resolved, secrets
//! read from the environment, schemas converted to JSON. [`Catalog::build`] reports every
//! problem at once (file, agent, field, what), which is what `chatkit check-config` prints.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use secrecy::SecretString;
use serde_json::{Map, Value};

use crate::definition::{
    AgentDef, AuthDef, EndpointDef, LoadedFile, MAX_STATE_VARIABLES, OPENAI_PROVIDER, Problem,
    PromptDef, ProviderDef, ProviderKindDef, StateType, ToolDef, ToolDisplay,
};
use crate::model::{FunctionTool, ModelSettings};
use crate::provider::{AuthStyle, ProviderConfig, ProviderKind};
use crate::template;

/// A checked agent, ready to run.
#[derive(Debug, Clone)]
pub struct Agent {
    /// Its id (`/chatkit/<id>`).
    pub id: String,
    /// Its display name.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// Also served at `/chatkit`.
    pub default: bool,
    /// The instructions, with `{{state.NAME}}` placeholders.
    pub instructions: String,
    /// The provider's name.
    pub provider: String,
    /// The model.
    pub model: String,
    /// Other models the composer may pick.
    pub composer_models: Vec<String>,
    /// Sampling and reasoning settings.
    pub settings: ModelSettings,
    /// How many of the newest items the model sees.
    pub history_items: usize,
    /// Whether to title threads, and with which model.
    pub title_model: Option<String>,
    /// The transcription model, when dictation is on.
    pub transcription_model: Option<String>,
    /// Start screen greeting.
    pub greeting: Option<String>,
    /// Start screen prompts.
    pub prompts: Vec<PromptDef>,
    /// State variables, by name.
    pub state: BTreeMap<String, StateVar>,
    /// Tools, in declaration order.
    pub tools: Vec<Tool>,
    /// Widget action endpoints, by action type.
    pub actions: BTreeMap<String, Endpoint>,
}

impl Agent {
    /// The tool called `name`.
    pub fn tool(&self, name: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| t.function().name == name)
    }

    /// Whether the composer may pick `model`.
    pub fn allows_model(&self, model: &str) -> bool {
        model == self.model || self.composer_models.iter().any(|m| m == model)
    }
}

/// A checked state variable.
#[derive(Debug, Clone, PartialEq)]
pub struct StateVar {
    /// Its type.
    pub kind: StateType,
    /// Its default.
    pub default: Option<Value>,
    /// The JWT claim that sets it.
    pub claim: Option<String>,
    /// Whether a page may set it.
    pub from_request: bool,
}

/// A checked tool.
#[derive(Debug, Clone)]
pub enum Tool {
    /// Runs in the browser.
    Client {
        /// What the model sees.
        function: FunctionTool,
    },
    /// POSTs its arguments to an endpoint.
    Http {
        /// What the model sees.
        function: FunctionTool,
        /// Where it goes.
        endpoint: Endpoint,
        /// What the user sees while it runs.
        display: ToolDisplay,
        /// The task or progress label.
        label: String,
    },
    /// The demo showcase.
    Showcase {
        /// What the model sees.
        function: FunctionTool,
        /// The client tool a `client_tool` showcase asks for.
        client_tool: String,
    },
}

impl Tool {
    /// What the model sees of it.
    pub fn function(&self) -> &FunctionTool {
        match self {
            Self::Client { function }
            | Self::Http { function, .. }
            | Self::Showcase { function, .. } => function,
        }
    }
}

/// A checked HTTP endpoint. Header values may hold secrets: `Debug` shows names only.
#[derive(Clone)]
pub struct Endpoint {
    /// The URL.
    pub url: reqwest::Url,
    /// Headers to send (values may be secret).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// How long a call may take.
    pub timeout: Duration,
    /// The largest reply accepted.
    pub max_response_bytes: usize,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &self.url.as_str())
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// What the catalog needs from the rest of the configuration.
pub struct CatalogOptions<'a> {
    /// The built-in `openai` provider (API base, key, timeouts, retries from the main config).
    pub openai: ProviderConfig,
    /// Reads an environment variable (tests pass a map).
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Demo mode: every provider is pointed at this base URL (the simulator, with `/v1`) and
    /// this key, and missing key variables are not problems.
    pub demo: Option<(String, SecretString)>,
}

/// The agents and providers of a deployment.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// The agents, in file order.
    pub agents: Vec<Arc<Agent>>,
    /// The providers by name (`openai` always among them).
    pub providers: BTreeMap<String, ProviderConfig>,
}

impl Catalog {
    /// Checks `files` and builds the catalog, or returns every problem found.
    pub fn build(files: &[LoadedFile], options: &CatalogOptions<'_>) -> Result<Self, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut providers = BTreeMap::new();
        let mut openai = options.openai.clone();
        if let Some((base, key)) = &options.demo {
            openai.base_url = base.clone();
            openai.api_key = Some(key.clone());
        }
        providers.insert(OPENAI_PROVIDER.to_owned(), openai);
        for loaded in files {
            for (name, def) in &loaded.file.providers {
                let mut p = Checker::new(loaded, &mut problems, format!("provider \"{name}\""));
                if providers.contains_key(name) {
                    p.problem(None, format!("the provider name `{name}` is already taken"));
                    continue;
                }
                if let Some(config) = p.provider(def, options) {
                    providers.insert(name.clone(), config);
                }
            }
        }
        let mut agents: Vec<Arc<Agent>> = Vec::new();
        let mut defaults = Vec::new();
        for loaded in files {
            for def in &loaded.file.agents {
                let mut a = Checker::new(loaded, &mut problems, format!("agent \"{}\"", def.id));
                if agents.iter().any(|x| x.id == def.id) {
                    a.problem(
                        Some("id"),
                        format!("the agent id `{}` is already taken", def.id),
                    );
                    continue;
                }
                if let Some(agent) = a.agent(def, &providers, options) {
                    if agent.default {
                        defaults.push(agent.id.clone());
                    }
                    agents.push(Arc::new(agent));
                }
            }
        }
        if defaults.len() > 1 {
            problems.push(Problem {
                file: files.first().map(|f| f.path.clone()).unwrap_or_default(),
                subject: None,
                field: Some("default".into()),
                message: format!(
                    "at most one agent may be the default; these all are: {}",
                    defaults.join(", ")
                ),
            });
        }
        if problems.is_empty() {
            Ok(Self { agents, providers })
        } else {
            Err(problems)
        }
    }

    /// The agent with `id`.
    pub fn agent(&self, id: &str) -> Option<&Arc<Agent>> {
        self.agents.iter().find(|a| a.id == id)
    }

    /// The agent marked `default = true`, if any.
    pub fn default_agent(&self) -> Option<&Arc<Agent>> {
        self.agents.iter().find(|a| a.default)
    }
}

/// Collects problems about one subject of one file.
struct Checker<'a> {
    file: PathBuf,
    problems: &'a mut Vec<Problem>,
    subject: String,
    before: usize,
}

impl<'a> Checker<'a> {
    fn new(loaded: &LoadedFile, problems: &'a mut Vec<Problem>, subject: String) -> Self {
        let before = problems.len();
        Self {
            file: loaded.path.clone(),
            problems,
            subject,
            before,
        }
    }

    fn problem(&mut self, field: Option<&str>, message: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.clone(),
            subject: Some(self.subject.clone()),
            field: field.map(str::to_owned),
            message: message.into(),
        });
    }

    fn clean(&self) -> bool {
        self.problems.len() == self.before
    }

    fn provider(
        &mut self,
        def: &ProviderDef,
        options: &CatalogOptions<'_>,
    ) -> Option<ProviderConfig> {
        let base_url = match reqwest::Url::parse(&def.base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => def.base_url.clone(),
            _ => {
                self.problem(Some("base_url"), "must be an http:// or https:// URL");
                String::new()
            }
        };
        let mut api_key = None;
        if let Some(var) = &def.api_key_env {
            match (options.env)(var) {
                Some(value) if !value.is_empty() => api_key = Some(SecretString::from(value)),
                _ if options.demo.is_some() => {}
                _ => self.problem(
                    Some("api_key_env"),
                    format!("the environment variable {var} is not set"),
                ),
            }
        }
        range(self, "timeout_secs", def.timeout_secs, 1, 3600);
        range(self, "idle_timeout_secs", def.idle_timeout_secs, 1, 3600);
        range(self, "max_retries", u64::from(def.max_retries), 0, 5);
        let headers = self.headers("headers", &def.headers, options);
        if !self.clean() {
            return None;
        }
        let mut config = ProviderConfig {
            kind: match def.kind {
                ProviderKindDef::Responses => ProviderKind::Responses,
                ProviderKindDef::ChatCompletions => ProviderKind::ChatCompletions,
            },
            base_url,
            api_key,
            auth: match def.auth {
                AuthDef::Bearer => AuthStyle::Bearer,
                AuthDef::ApiKey => AuthStyle::ApiKey,
            },
            headers: headers
                .into_iter()
                .filter_map(|(n, v)| Some((n.to_string(), v.to_str().ok()?.to_owned())))
                .collect(),
            connect_timeout: options.openai.connect_timeout,
            response_timeout: Duration::from_secs(def.timeout_secs),
            idle_timeout: Duration::from_secs(def.idle_timeout_secs),
            max_retries: def.max_retries,
            include_usage: def.include_usage,
        };
        if let Some((base, key)) = &options.demo {
            config.base_url = base.clone();
            config.api_key = Some(key.clone());
            config.auth = AuthStyle::Bearer;
        }
        Some(config)
    }

    fn agent(
        &mut self,
        def: &AgentDef,
        providers: &BTreeMap<String, ProviderConfig>,
        options: &CatalogOptions<'_>,
    ) -> Option<Agent> {
        if !valid_id(&def.id) {
            self.problem(
                Some("id"),
                "must be 1 to 64 lowercase letters, digits, `-` or `_`, starting with a letter or digit",
            );
        }
        if def.name.trim().is_empty() {
            self.problem(Some("name"), "must not be empty");
        }
        if !providers.contains_key(&def.provider) {
            let known: Vec<&str> = providers.keys().map(String::as_str).collect();
            self.problem(
                Some("provider"),
                format!(
                    "no provider named `{}` (known: {})",
                    def.provider,
                    known.join(", ")
                ),
            );
        }
        if def.model.trim().is_empty() {
            self.problem(Some("model"), "must not be empty");
        }
        for (i, m) in def.composer_models.iter().enumerate() {
            if m.trim().is_empty() {
                self.problem(Some(&format!("composer_models[{i}]")), "must not be empty");
            }
        }
        if let Some(t) = def.temperature
            && !(0.0..=2.0).contains(&t)
        {
            self.problem(Some("temperature"), format!("{t} is outside 0 to 2"));
        }
        if let Some(n) = def.max_output_tokens {
            range(self, "max_output_tokens", u64::from(n), 16, 1_000_000);
        }
        one_of(
            self,
            "reasoning_effort",
            def.reasoning_effort.as_deref(),
            &["none", "minimal", "low", "medium", "high", "xhigh"],
        );
        one_of(
            self,
            "reasoning_summary",
            def.reasoning_summary.as_deref(),
            &["auto", "concise", "detailed"],
        );
        range(self, "history_items", def.history_items as u64, 1, 1000);
        if def
            .transcription_model
            .as_deref()
            .is_some_and(|m| m.trim().is_empty())
        {
            self.problem(Some("transcription_model"), "must not be empty when set");
        }
        let state = self.state(def);
        let tools = self.tools(def, options);
        let mut actions = BTreeMap::new();
        for (kind, endpoint) in &def.actions {
            if kind.is_empty() {
                self.problem(Some("actions"), "an action type must not be empty");
            }
            if let Some(e) = self.endpoint(&format!("actions.{kind}"), endpoint, options) {
                actions.insert(kind.clone(), e);
            }
        }
        if !self.clean() {
            return None;
        }
        Some(Agent {
            id: def.id.clone(),
            name: def.name.clone(),
            description: def.description.clone(),
            default: def.default,
            instructions: def.instructions.clone(),
            provider: def.provider.clone(),
            model: def.model.clone(),
            composer_models: def.composer_models.clone(),
            settings: ModelSettings {
                temperature: def.temperature,
                max_output_tokens: def.max_output_tokens,
                reasoning_effort: def.reasoning_effort.clone(),
                reasoning_summary: def.reasoning_summary.clone(),
            },
            history_items: def.history_items,
            title_model: def.titles.enabled.then(|| {
                def.titles
                    .model
                    .clone()
                    .unwrap_or_else(|| def.model.clone())
            }),
            transcription_model: def.transcription_model.clone(),
            greeting: def.greeting.clone(),
            prompts: def.prompts.clone(),
            state,
            tools,
            actions,
        })
    }

    fn state(&mut self, def: &AgentDef) -> BTreeMap<String, StateVar> {
        if def.state.len() > MAX_STATE_VARIABLES {
            self.problem(
                Some("state"),
                format!(
                    "{} state variables declared; at most {MAX_STATE_VARIABLES} are allowed",
                    def.state.len()
                ),
            );
        }
        let mut out = BTreeMap::new();
        for (name, var) in &def.state {
            let field = format!("state.{name}");
            if !valid_state_name(name) {
                self.problem(
                    Some(&field),
                    "a state variable name is 1 to 64 letters, digits or `_`, not starting with a digit",
                );
            }
            let default = var
                .default
                .as_ref()
                .map(|v| serde_json::to_value(v).unwrap_or(Value::Null));
            if let Some(d) = &default
                && !var.kind.accepts(d)
            {
                self.problem(
                    Some(&format!("{field}.default")),
                    format!("{d} is not a {:?}", var.kind).to_lowercase(),
                );
            }
            if var.claim.as_deref().is_some_and(str::is_empty) {
                self.problem(
                    Some(&format!("{field}.claim")),
                    "must not be empty when set",
                );
            }
            out.insert(
                name.clone(),
                StateVar {
                    kind: var.kind,
                    default,
                    claim: var.claim.clone(),
                    from_request: var.from_request,
                },
            );
        }
        let mut unknown = BTreeSet::new();
        for name in template::references(&def.instructions) {
            if !def.state.contains_key(name) {
                unknown.insert(name.to_owned());
            }
        }
        for name in unknown {
            self.problem(
                Some("instructions"),
                format!("`{{{{state.{name}}}}}` names a state variable that is not declared in [agent.state]"),
            );
        }
        out
    }

    fn tools(&mut self, def: &AgentDef, options: &CatalogOptions<'_>) -> Vec<Tool> {
        let mut names = BTreeSet::new();
        let mut out = Vec::new();
        for (i, tool) in def.tools.iter().enumerate() {
            let field = format!("tools[{i}]");
            let name = tool.name();
            if !valid_tool_name(name) {
                self.problem(
                    Some(&format!("{field}.name")),
                    "a tool name is 1 to 64 letters, digits, `_` or `-`",
                );
            }
            if !names.insert(name.to_owned()) {
                self.problem(
                    Some(&format!("{field}.name")),
                    format!("another tool is already called `{name}`"),
                );
            }
            let resolved = match tool {
                ToolDef::Client {
                    name,
                    description,
                    parameters,
                } => self
                    .schema(&field, parameters)
                    .map(|parameters| Tool::Client {
                        function: function(name, description.clone(), parameters),
                    }),
                ToolDef::Http {
                    name,
                    description,
                    parameters,
                    endpoint,
                    display,
                    label,
                } => {
                    let parameters = self.schema(&field, parameters);
                    let endpoint = self.endpoint(&field, endpoint, options);
                    match (parameters, endpoint) {
                        (Some(parameters), Some(endpoint)) => Some(Tool::Http {
                            function: function(name, description.clone(), parameters),
                            endpoint,
                            display: *display,
                            label: label.clone().unwrap_or_else(|| name.clone()),
                        }),
                        _ => None,
                    }
                }
                ToolDef::Showcase { name, client_tool } => {
                    let declared = def
                        .tools
                        .iter()
                        .any(|t| matches!(t, ToolDef::Client { name, .. } if name == client_tool));
                    if !declared {
                        self.problem(
                            Some(&format!("{field}.client_tool")),
                            format!(
                                "no client tool named `{client_tool}` is declared in this agent"
                            ),
                        );
                    }
                    Some(Tool::Showcase {
                        function: crate::showcase::function(name),
                        client_tool: client_tool.clone(),
                    })
                }
            };
            out.extend(resolved);
        }
        out
    }

    fn schema(&mut self, field: &str, parameters: &toml::Value) -> Option<Value> {
        let value = serde_json::to_value(parameters).ok()?;
        let is_object_schema = value
            .get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t == "object");
        if !is_object_schema {
            self.problem(
                Some(&format!("{field}.parameters")),
                "must be a JSON schema with `type = \"object\"`",
            );
            return None;
        }
        Some(value)
    }

    fn endpoint(
        &mut self,
        field: &str,
        def: &EndpointDef,
        options: &CatalogOptions<'_>,
    ) -> Option<Endpoint> {
        let url = match interpolate_env(&def.url, options.env) {
            Ok(url) => reqwest::Url::parse(&url).ok(),
            Err(var) => {
                self.problem(
                    Some(&format!("{field}.url")),
                    format!("the environment variable {var} is not set"),
                );
                return None;
            }
        };
        let url = match url {
            Some(url) if matches!(url.scheme(), "http" | "https") => Some(url),
            _ => {
                self.problem(
                    Some(&format!("{field}.url")),
                    "must be an http:// or https:// URL",
                );
                None
            }
        };
        let headers = self.headers(&format!("{field}.headers"), &def.headers, options);
        range(
            self,
            &format!("{field}.timeout_ms"),
            def.timeout_ms,
            1,
            300_000,
        );
        range(
            self,
            &format!("{field}.max_response_bytes"),
            def.max_response_bytes as u64,
            1,
            16 * 1024 * 1024,
        );
        Some(Endpoint {
            url: url?,
            headers,
            timeout: Duration::from_millis(def.timeout_ms),
            max_response_bytes: def.max_response_bytes,
        })
    }

    /// Header names and values, with `${NAME}` replaced from the environment.
    fn headers(
        &mut self,
        field: &str,
        headers: &BTreeMap<String, String>,
        options: &CatalogOptions<'_>,
    ) -> Vec<(HeaderName, HeaderValue)> {
        let mut out = Vec::new();
        for (name, value) in headers {
            let here = format!("{field}.{name}");
            let Ok(header_name) = HeaderName::try_from(name.as_str()) else {
                self.problem(Some(&here), "is not a valid header name");
                continue;
            };
            let value = match interpolate_env(value, options.env) {
                Ok(v) => v,
                Err(var) => {
                    self.problem(
                        Some(&here),
                        format!("the environment variable {var} is not set"),
                    );
                    continue;
                }
            };
            match HeaderValue::try_from(value) {
                Ok(mut v) => {
                    v.set_sensitive(true);
                    out.push((header_name, v));
                }
                Err(_) => self.problem(Some(&here), "is not a valid header value"),
            }
        }
        out
    }
}

fn function(name: &str, description: Option<String>, parameters: Value) -> FunctionTool {
    FunctionTool {
        name: name.to_owned(),
        description,
        parameters,
        strict: false,
    }
}

fn range(c: &mut Checker<'_>, field: &str, value: u64, min: u64, max: u64) {
    if !(min..=max).contains(&value) {
        c.problem(Some(field), format!("{value} is outside {min} to {max}"));
    }
}

fn one_of(c: &mut Checker<'_>, field: &str, value: Option<&str>, allowed: &[&str]) {
    if let Some(v) = value
        && !allowed.contains(&v)
    {
        c.problem(
            Some(field),
            format!("`{v}` is not one of {}", allowed.join(", ")),
        );
    }
}

/// `text` with each `${NAME}` replaced by environment variable `NAME`; the name of the first
/// missing variable otherwise.
fn interpolate_env(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        let name = &rest[start + 2..start + 2 + len];
        out.push_str(&rest[..start]);
        out.push_str(&env(name).ok_or_else(|| name.to_owned())?);
        rest = &rest[start + 3 + len..];
    }
    out.push_str(rest);
    Ok(out)
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    (1..=64).contains(&id.len())
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn valid_tool_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A state variable name: 1 to 64 ASCII letters, digits or `_`, not starting with a digit.
pub fn valid_state_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The state variables of one request for `agent`: defaults, then what the page sent (for
/// variables that allow it, of the right type), then verified claims (which win). Values of the
/// wrong type and undeclared names are dropped.
pub fn resolve_state(agent: &Agent, request: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, var) in &agent.state {
        let from_request = request
            .get(name)
            .filter(|v| var.from_request && var.kind.accepts(v));
        let from_claim = var
            .claim
            .as_ref()
            .and_then(|claim| request.get(&format!("{CLAIM_PREFIX}{claim}")))
            .filter(|v| var.kind.accepts(v));
        if let Some(value) = from_claim.or(from_request).or(var.default.as_ref()) {
            out.insert(name.clone(), value.clone());
        }
    }
    out
}

/// How the binary passes verified JWT claims in a request's state map: `claim:<name>`, a form a
/// page cannot send (state header names are plain identifiers).
pub const CLAIM_PREFIX: &str = "claim:";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::definition::parse;
    use std::path::Path;

    fn env(name: &str) -> Option<String> {
        match name {
            "ORDERS_TOKEN" => Some("s3cret".into()),
            "LOCAL_KEY" => Some("k".into()),
            _ => None,
        }
    }

    fn build(text: &str) -> Result<Catalog, Vec<Problem>> {
        let file = parse(Path::new("agents/a.toml"), text).map_err(|p| vec![p])?;
        Catalog::build(
            &[file],
            &CatalogOptions {
                openai: ProviderConfig::openai(
                    "http://127.0.0.1:1/v1",
                    SecretString::from("sk-test"),
                ),
                env: &env,
                demo: None,
            },
        )
    }

    fn messages(text: &str) -> Vec<String> {
        build(text)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_complete_agent_loads() {
        let catalog = build(
            r#"
[providers.local]
kind = "chat_completions"
base_url = "http://127.0.0.1:11434/v1"
api_key_env = "LOCAL_KEY"
auth = "api-key"

[[agent]]
id = "support"
name = "Support"
default = true
instructions = "Help {{state.customer}}."
provider = "local"
model = "llama3.1"
composer_models = ["llama3.2"]
temperature = 0.3
reasoning_effort = "low"

[agent.state.customer]
type = "string"
default = "there"
claim = "name"

[[agent.tools]]
type = "http"
name = "lookup_order"
url = "https://orders.example.com/lookup"
headers = { Authorization = "Bearer ${ORDERS_TOKEN}" }
parameters = { type = "object", properties = { id = { type = "string" } }, required = ["id"] }

[[agent.tools]]
type = "client"
name = "get_page_info"

[[agent.tools]]
type = "showcase"
name = "show"

[agent.actions.approve]
url = "http://127.0.0.1:9/approve"
"#,
        )
        .unwrap();
        let agent = catalog.agent("support").unwrap();
        assert!(agent.default);
        assert!(agent.allows_model("llama3.2") && !agent.allows_model("gpt-5"));
        assert_eq!(agent.title_model.as_deref(), Some("llama3.1"));
        assert_eq!(agent.tools.len(), 3);
        let Tool::Http { endpoint, .. } = agent.tool("lookup_order").unwrap() else {
            panic!("an http tool")
        };
        assert_eq!(endpoint.headers[0].1, "Bearer s3cret");
        assert!(
            !format!("{endpoint:?}").contains("s3cret"),
            "Debug hides header values"
        );
        let local = &catalog.providers["local"];
        assert_eq!(local.kind, ProviderKind::ChatCompletions);
        assert_eq!(local.auth, AuthStyle::ApiKey);
    }

    #[test]
    fn every_problem_names_the_file_the_agent_and_the_field() {
        let problems = messages(
            r#"
[[agent]]
id = "Bad Id"
name = ""
model = "m"
provider = "nowhere"
temperature = 3.5
history_items = 0
reasoning_effort = "enormous"
instructions = "{{state.missing}}"

[agent.state.1bad]
type = "number"
default = "not a number"

[[agent.tools]]
type = "http"
name = "t"
url = "ftp://x"
headers = { X-Key = "${NOT_SET}" }

[[agent.tools]]
type = "client"
name = "t"
parameters = { type = "string" }

[[agent.tools]]
type = "showcase"
name = "show"
client_tool = "absent"
"#,
        );
        let expect = [
            "agents/a.toml: agent \"Bad Id\": `id`: must be 1 to 64",
            "`name`: must not be empty",
            "`provider`: no provider named `nowhere` (known: openai)",
            "`temperature`: 3.5 is outside 0 to 2",
            "`history_items`: 0 is outside 1 to 1000",
            "`reasoning_effort`: `enormous` is not one of",
            "`state.1bad`: a state variable name",
            "`state.1bad.default`: \"not a number\" is not a number",
            "`instructions`: `{{state.missing}}` names a state variable that is not declared",
            "`tools[0].url`: must be an http:// or https:// URL",
            "`tools[0].headers.X-Key`: the environment variable NOT_SET is not set",
            "`tools[1].name`: another tool is already called `t`",
            "`tools[1].parameters`: must be a JSON schema with `type = \"object\"`",
            "`tools[2].client_tool`: no client tool named `absent`",
        ];
        for want in expect {
            assert!(
                problems.iter().any(|p| p.contains(want)),
                "missing {want:?} in {problems:#?}"
            );
        }
        assert_eq!(problems.len(), expect.len(), "{problems:#?}");
    }

    #[test]
    fn a_typo_in_a_key_is_refused_with_its_line() {
        let problems =
            messages("[[agent]]\nid = \"a\"\nname = \"A\"\nmodel = \"m\"\ntemprature = 1\n");
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("agents/a.toml"), "{}", problems[0]);
        assert!(problems[0].contains("line 5"), "{}", problems[0]);
        assert!(problems[0].contains("temprature"), "{}", problems[0]);
    }

    #[test]
    fn duplicate_ids_and_two_defaults_are_refused() {
        let problems = messages(
            "[[agent]]\nid = \"a\"\nname = \"A\"\nmodel = \"m\"\ndefault = true\n\
             [[agent]]\nid = \"a\"\nname = \"A2\"\nmodel = \"m\"\n\
             [[agent]]\nid = \"b\"\nname = \"B\"\nmodel = \"m\"\ndefault = true\n",
        );
        assert!(
            problems.iter().any(|p| p.contains("`a` is already taken")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("at most one agent may be the default"))
        );
    }

    #[test]
    fn state_resolution_prefers_claims_then_the_request_then_defaults() {
        let catalog = build(
            r#"
[[agent]]
id = "a"
name = "A"
model = "m"
[agent.state.plan]
type = "string"
default = "free"
claim = "plan"
[agent.state.seats]
type = "number"
[agent.state.locked]
type = "string"
default = "fixed"
from_request = false
"#,
        )
        .unwrap();
        let agent = catalog.agent("a").unwrap();
        let request = serde_json::json!({
            "plan": "enterprise", "seats": "three", "locked": "changed", "undeclared": 1
        });
        let state = resolve_state(agent, request.as_object().unwrap());
        assert_eq!(
            Value::Object(state),
            serde_json::json!({"plan": "enterprise", "locked": "fixed"}),
            "wrong types and undeclared names dropped; from_request=false kept its default"
        );
        let request = serde_json::json!({"plan": "enterprise", "claim:plan": "pro", "seats": 3});
        let state = resolve_state(agent, request.as_object().unwrap());
        assert_eq!(state["plan"], "pro", "a verified claim wins");
        assert_eq!(state["seats"], 3);
    }
}
