// The session broker from the seed "ChatKit App Deployment Blueprint" (Step 2, server.js),
// kept as the benchmark peer for chatkit-rs's broker (see bench/README.md).
//
// Changed from the blueprint, and only what it takes to work against the real sessions API
// (as written, every call to https://api.openai.com/v1/chatkit/sessions is rejected):
//   1. The base URL comes from CHATKIT_API_BASE (default https://api.openai.com), so the
//      benchmark can point it at the local simulator.
//   2. The "OpenAI-Beta: chatkit_beta=v1" header is sent; the API refuses the call without it.
//   3. The body is in the API's shape: `workflow` is an object `{id}` and `user` is a string
//      (the blueprint sent `workflow` as a bare string and `user` as an object `{id, name}`).
// Everything else (express.json(), node-fetch, dotenv, error handling) is as in the blueprint.
import express from "express";
import fetch from "node-fetch";
import dotenv from "dotenv";
dotenv.config();

const app = express();
app.use(express.json());

const API_BASE = process.env.CHATKIT_API_BASE || "https://api.openai.com";

app.post("/api/session", async (req, res) => {
  try {
    const resp = await fetch(`${API_BASE}/v1/chatkit/sessions`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${process.env.OPENAI_API_KEY}`,
        "Content-Type": "application/json",
        "OpenAI-Beta": "chatkit_beta=v1",
      },
      body: JSON.stringify({
        workflow: { id: process.env.WORKFLOW_ID },
        user: req.body.userId || "anon",
        // optional: display_name, external_documents, initial_variables, metadata
      }),
    });

    if (!resp.ok) {
      const errText = await resp.text();
      return res.status(resp.status).send(errText);
    }

    const body = await resp.json();
    res.json(body); // return client_secret / session payload to the browser
  } catch (err) {
    console.error(err);
    res.status(500).json({ error: err.message });
  }
});

app.listen(process.env.PORT || 4000, () => {
  console.log("Server listening", process.env.PORT || 4000);
});
