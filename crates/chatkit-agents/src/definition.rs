//! Agent definitions: the TOML files people write by hand and review in a diff.
//!
//! A file holds any number of `[[agent]]` tables (one file per agent, or several in one file)
//! and any number of `[providers.<name>]` tables. Every problem found names the file, the agent,
//! the field and what is wrong, so `chatkit check-config` can print them all at once:
//!
//! ```toml
//! [providers.local]
//! kind = "chat_completions"
//! base_url = "http://127.0.0.1:11434/v1"
//!
//! [[agent]]
//! id = "support"
//! name = "Support"
//! instructions = "You help {{state.customer_name}} with their orders."
//! model = "gpt-5-mini"
//!
//! [agent.state.customer_name]
//! type = "string"
//! default = "there"
//! claim = "name"
//!
//! [[agent.tools]]
//! type = "http"
//! name = "lookup_order"
//! description = "Finds an order by its number."
//! url = "https://orders.example.com/lookup"
//! parameters = { type = "object", properties = { order_id = { type = "string" } }, required = ["order_id"] }
//! ```
//!
//! The full reference is `docs/agents.md`. Hosted tools (web search, file search, code
//! interpreter, image generation, remote MCP) and multi-agent flows will be further `type`s of
//! `[[agent.tools]]` and further tables of `[[agent]]`; unknown keys are refused today so that a
//! typo never silently does nothing.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// The provider every agent uses unless it names another: OpenAI's Responses API at the
/// configured API base, with the configured key.
pub const OPENAI_PROVIDER: &str = "openai";

/// The most state variables an agent may declare (Agent Builder's limit).
pub const MAX_STATE_VARIABLES: usize = 64;

/// One agent definition file, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentFile {
    /// Model servers, by name.
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderDef>,
    /// The agents.
    #[serde(default, rename = "agent")]
    pub agents: Vec<AgentDef>,
}

/// A model server (`[providers.<name>]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderDef {
    /// Which API it speaks.
    pub kind: ProviderKindDef,
    /// Its base URL, including `/v1` (`http://127.0.0.1:11434/v1`).
    pub base_url: String,
    /// The environment variable holding its API key (none: send no key).
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// How the key is sent.
    #[serde(default)]
    pub auth: AuthDef,
    /// Extra headers sent with every request.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// How long a call may wait for the reply to begin, in seconds.
    #[serde(default = "default_response_timeout")]
    pub timeout_secs: u64,
    /// The longest silence allowed inside a stream, in seconds.
    #[serde(default = "default_idle_timeout")]
    pub idle_timeout_secs: u64,
    /// Retries before the reply begins (0–5).
    #[serde(default = "default_retries")]
    pub max_retries: u32,
    /// Ask for a usage chunk (`stream_options.include_usage`; some servers refuse it).
    #[serde(default = "default_true")]
    pub include_usage: bool,
}

/// Which API a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKindDef {
    /// OpenAI's Responses API (`POST /responses`).
    Responses,
    /// Chat Completions (`POST /chat/completions`), which OpenAI-compatible servers speak.
    ChatCompletions,
}

/// How an API key is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum AuthDef {
    /// `Authorization: Bearer <key>`.
    #[default]
    #[serde(rename = "bearer")]
    Bearer,
    /// `api-key: <key>` (Azure OpenAI).
    #[serde(rename = "api-key")]
    ApiKey,
}

/// One agent (`[[agent]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentDef {
    /// What the widget selects (`/chatkit/<id>`): lowercase letters, digits, `-` and `_`.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// What it is for, shown in agent lists.
    #[serde(default)]
    pub description: Option<String>,
    /// Serve it at `/chatkit` as well (at most one agent).
    #[serde(default)]
    pub default: bool,
    /// The system prompt; `{{state.NAME}}` is replaced by state variable `NAME`.
    #[serde(default)]
    pub instructions: String,
    /// The provider (a `[providers.<name>]` table, or `openai`).
    #[serde(default = "default_provider")]
    pub provider: String,
    /// The model.
    pub model: String,
    /// Other models the composer may pick (`inference_options.model`).
    #[serde(default)]
    pub composer_models: Vec<String>,
    /// Sampling temperature (0–2).
    #[serde(default)]
    pub temperature: Option<f64>,
    /// Upper bound on generated tokens.
    #[serde(default)]
    pub max_output_tokens: Option<u32>,
    /// Reasoning effort, for reasoning models.
    #[serde(default)]
    pub reasoning_effort: Option<String>,
    /// Reasoning summaries (`auto`, `concise`, `detailed`), shown as thoughts.
    #[serde(default)]
    pub reasoning_summary: Option<String>,
    /// How many of the newest thread items the model sees (1–1000).
    #[serde(default = "default_history_items")]
    pub history_items: usize,
    /// Thread titles.
    #[serde(default)]
    pub titles: TitlesDef,
    /// Transcription model for dictation (none: dictation is unavailable).
    #[serde(default)]
    pub transcription_model: Option<String>,
    /// The start screen: a greeting.
    #[serde(default)]
    pub greeting: Option<String>,
    /// The start screen: suggested prompts.
    #[serde(default)]
    pub prompts: Vec<PromptDef>,
    /// State variables, by name.
    #[serde(default)]
    pub state: BTreeMap<String, StateVarDef>,
    /// Tools.
    #[serde(default)]
    pub tools: Vec<ToolDef>,
    /// Widget action endpoints, by action type.
    #[serde(default)]
    pub actions: BTreeMap<String, EndpointDef>,
}

/// Thread titles (`[agent.titles]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TitlesDef {
    /// Generate a title after the first exchange.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// The model that writes it (default: the agent's model).
    #[serde(default)]
    pub model: Option<String>,
}

impl Default for TitlesDef {
    fn default() -> Self {
        Self {
            enabled: true,
            model: None,
        }
    }
}

/// A suggested prompt on the start screen.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PromptDef {
    /// The button's label.
    pub label: String,
    /// What it sends.
    pub prompt: String,
}

/// A state variable (`[agent.state.<name>]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateVarDef {
    /// Its type.
    #[serde(rename = "type")]
    pub kind: StateType,
    /// Its value when nothing else sets it.
    #[serde(default)]
    pub default: Option<toml::Value>,
    /// A verified JWT claim that sets it (and wins over the request).
    #[serde(default)]
    pub claim: Option<String>,
    /// Whether a page may set it through the state header (default true).
    #[serde(default = "default_true")]
    pub from_request: bool,
}

/// The type of a state variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StateType {
    /// Text.
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
}

impl StateType {
    /// Whether `value` has this type.
    pub fn accepts(self, value: &Value) -> bool {
        match self {
            Self::String => value.is_string(),
            Self::Number => value.is_number(),
            Self::Boolean => value.is_boolean(),
        }
    }
}

/// A tool (`[[agent.tools]]`), by `type`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ToolDef {
    /// Runs in the browser: the call becomes a pending `client_tool_call`, and the run resumes
    /// when the page posts the output.
    Client {
        /// Its name, as the model and the page see it.
        name: String,
        /// What it does, for the model.
        #[serde(default)]
        description: Option<String>,
        /// The JSON schema of its arguments.
        #[serde(default = "empty_object_schema")]
        parameters: toml::Value,
    },
    /// Runs on a server of yours: the arguments are POSTed as JSON to `url`, the JSON reply goes
    /// back to the model (`{"output": …, "widget": {…}?}`).
    Http {
        /// Its name.
        name: String,
        /// What it does, for the model.
        #[serde(default)]
        description: Option<String>,
        /// The JSON schema of its arguments.
        #[serde(default = "empty_object_schema")]
        parameters: toml::Value,
        /// Where the call goes, and how.
        #[serde(flatten)]
        endpoint: EndpointDef,
        /// What the user sees while it runs.
        #[serde(default)]
        display: ToolDisplay,
        /// The label of that task or progress line (default: the tool's name).
        #[serde(default)]
        label: Option<String>,
    },
    /// The demo showcase: `show({"kind": KIND})` emits one kind of thing a UI must render.
    Showcase {
        /// Its name (usually `show`).
        name: String,
        /// The client tool a `client_tool` showcase asks the page to run.
        #[serde(default = "default_showcase_client_tool")]
        client_tool: String,
    },
}

impl ToolDef {
    /// The tool's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Client { name, .. } | Self::Http { name, .. } | Self::Showcase { name, .. } => {
                name
            }
        }
    }
}

/// What the user sees while a server-side tool runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolDisplay {
    /// A task in a workflow, marked done or failed when it ends (the default).
    #[default]
    Task,
    /// A progress line while it runs.
    Progress,
    /// Nothing.
    None,
}

/// An HTTP endpoint of yours (an HTTP tool, or a widget action's handler).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointDef {
    /// The URL (`http` or `https`); `${NAME}` is replaced by environment variable `NAME`.
    pub url: String,
    /// Headers sent with the call; `${NAME}` in a value is replaced by environment variable
    /// `NAME` when the agents load (so secrets stay out of the file).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// How long the call may take, in milliseconds (1–300000).
    #[serde(default = "default_endpoint_timeout_ms")]
    pub timeout_ms: u64,
    /// The largest reply accepted, in bytes (1–16 MiB).
    #[serde(default = "default_max_response_bytes")]
    pub max_response_bytes: usize,
}

fn default_provider() -> String {
    OPENAI_PROVIDER.to_owned()
}
fn default_true() -> bool {
    true
}
fn default_history_items() -> usize {
    40
}
fn default_response_timeout() -> u64 {
    120
}
fn default_idle_timeout() -> u64 {
    300
}
fn default_retries() -> u32 {
    2
}
fn default_endpoint_timeout_ms() -> u64 {
    10_000
}
fn default_max_response_bytes() -> usize {
    256 * 1024
}
fn default_showcase_client_tool() -> String {
    "get_page_info".to_owned()
}
fn empty_object_schema() -> toml::Value {
    let mut table = toml::Table::new();
    table.insert("type".into(), toml::Value::String("object".into()));
    table.insert("properties".into(), toml::Value::Table(toml::Table::new()));
    toml::Value::Table(table)
}

/// A problem in an agent file: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file.
    pub file: PathBuf,
    /// The agent (`agent "support"`) or provider (`provider "local"`), when known.
    pub subject: Option<String>,
    /// The field (`tools[1].url`), when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(subject) = &self.subject {
            write!(f, ": {subject}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// An agent file that parsed, with where it came from.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// The path (or a name, for built-in files).
    pub path: PathBuf,
    /// Its contents.
    pub file: AgentFile,
}

/// Parses one file's text. A syntax or shape error becomes one [`Problem`] whose message
/// carries the line and column.
pub fn parse(path: &Path, text: &str) -> Result<LoadedFile, Problem> {
    toml::from_str::<AgentFile>(text)
        .map(|file| LoadedFile {
            path: path.to_owned(),
            file,
        })
        .map_err(|e| Problem {
            file: path.to_owned(),
            subject: None,
            field: None,
            message: e.to_string().trim().replace('\n', " "),
        })
}

/// The `.toml` files at `path`: the file itself, or a directory's `*.toml` files in name order.
pub fn files_at(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|ext| ext == "toml") && p.is_file())
            .collect();
        files.sort();
        Ok(files)
    } else {
        std::fs::metadata(path)?;
        Ok(vec![path.to_owned()])
    }
}

/// Reads and parses every file at `paths` (files or directories). Returns what parsed and a
/// problem for each file that did not.
pub fn read_all(paths: &[PathBuf]) -> (Vec<LoadedFile>, Vec<Problem>) {
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        let files = match files_at(path) {
            Ok(files) if files.is_empty() => {
                problems.push(Problem {
                    file: path.clone(),
                    subject: None,
                    field: None,
                    message: "the directory holds no .toml agent files".into(),
                });
                continue;
            }
            Ok(files) => files,
            Err(e) => {
                problems.push(Problem {
                    file: path.clone(),
                    subject: None,
                    field: None,
                    message: format!("cannot read it: {e}"),
                });
                continue;
            }
        };
        for file in files {
            match std::fs::read_to_string(&file) {
                Ok(text) => match parse(&file, &text) {
                    Ok(parsed) => loaded.push(parsed),
                    Err(problem) => problems.push(problem),
                },
                Err(e) => problems.push(Problem {
                    file: file.clone(),
                    subject: None,
                    field: None,
                    message: format!("cannot read it: {e}"),
                }),
            }
        }
    }
    (loaded, problems)
}
