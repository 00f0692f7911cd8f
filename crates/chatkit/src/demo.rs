//! The demo order service: what the support example's HTTP tools and refund action call in demo
//! mode (`ORDERS_API_URL` points here when unset), so the example works end to end with no
//! other server. Served only in demo mode, under `/demo/orders`; it checks the demo token like
//! a real service would check its own.
//!
//! The replies follow the documented shapes: a tool's `{"output", "widget"?}` and an action
//! handler's `{"widget"?, "message"?}`.

use axum::Json;
use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chatkit_types::ActionConfig;
use serde_json::{Value, json};

use crate::state::AppState;

/// The path the demo order service is served under.
pub const ORDERS_PATH: &str = "/demo/orders";

/// The token the support example sends in demo mode (`ORDERS_API_TOKEN` when unset).
pub const ORDERS_TOKEN: &str = "demo-orders-token";

/// The demo order service's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(&format!("{ORDERS_PATH}/lookup"), post(lookup))
        .route(&format!("{ORDERS_PATH}/refunds"), post(start_refund))
        .route(
            &format!("{ORDERS_PATH}/refunds/approve"),
            post(approve_refund),
        )
}

/// `None` when the demo token came; otherwise the 401 to answer.
fn refused(headers: &HeaderMap) -> Option<Response> {
    let expected = format!("Bearer {ORDERS_TOKEN}");
    match headers.get(header::AUTHORIZATION) {
        Some(value) if value.as_bytes() == expected.as_bytes() => None,
        _ => Some(
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({"error": "the demo order service wants its token"})),
            )
                .into_response(),
        ),
    }
}

fn order_id(body: &Value) -> String {
    body.get("order_id")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .unwrap_or("NW-10234")
        .chars()
        .take(32)
        .collect()
}

/// `lookup_order`: a shipped order and a card that shows it.
async fn lookup(headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(refusal) = refused(&headers) {
        return refusal;
    }
    let id = order_id(&body);
    Json(json!({
        "output": {
            "order_id": id,
            "status": "shipped",
            "items": ["Trail running shoes (size 42)", "Merino socks, 2 pairs"],
            "delivery_date": "in 2 days",
            "tracking_url": "https://tracking.example/NW"
        },
        "widget": {
            "type": "Card",
            "children": [
                {"type": "Title", "value": format!("Order {id}")},
                {"type": "Text", "value": "Shipped: arriving in 2 days."},
                {"type": "Text", "value": "Trail running shoes (size 42), Merino socks (2 pairs)"}
            ]
        }
    }))
    .into_response()
}

/// `start_refund`: a card with an approval button (`refund.approve`).
async fn start_refund(headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(refusal) = refused(&headers) {
        return refusal;
    }
    let id = order_id(&body);
    Json(json!({
        "output": {"order_id": id, "refund": "awaiting the customer's approval"},
        "widget": {
            "type": "Card",
            "children": [
                {"type": "Title", "value": format!("Refund for order {id}")},
                {"type": "Text", "value": "The full amount goes back to the original payment method."},
                {"type": "Row", "children": [{
                    "type": "Button",
                    "label": "Approve refund",
                    "onClickAction": ActionConfig::new("refund.approve").payload(json!({"order_id": id}))
                }]}
            ]
        }
    }))
    .into_response()
}

/// The `refund.approve` action: the card becomes a confirmation, and a message is added.
async fn approve_refund(headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(refusal) = refused(&headers) {
        return refusal;
    }
    let id = order_id(body.pointer("/action/payload").unwrap_or(&Value::Null));
    Json(json!({
        "widget": {
            "type": "Card",
            "children": [
                {"type": "Title", "value": format!("Refund for order {id}")},
                {"type": "Text", "value": "Approved. The money is on its way (3 to 5 business days)."}
            ]
        },
        "message": format!("Your refund for order {id} is approved. You will see it within 3 to 5 business days.")
    }))
    .into_response()
}
