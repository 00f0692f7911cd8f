//! Hand-written wire cases from the protocol reference (`chatkit-protocol.md` §2–6) and from the
//! official package's behaviour: unknown fields, unknown widgets, metadata rules, timestamps,
//! request dispatch, error codes and widget builders.

use chatkit_types::widgets::{
    self, BasicRoot, Border, BorderStyle, Button, ButtonStyle, Card, CardAction, Checkbox, Col,
    DatePicker, Divider, Editable, Form, Icon, IconSize, Image, Input, InputType, Label,
    LineSeries, ListView, ListViewItem, ListViewLimit, Markdown, RadioGroup, RadioOption, Row,
    Select, SelectOption, Series, Spacing, Text, ThemeColor, Title, TitleSize, WidgetStatus,
    XAxisConfig,
};
use chatkit_types::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Parses `input` as `T` and serializes it back.
fn reserialize<T: DeserializeOwned + Serialize>(input: Value) -> Value {
    let parsed: T = serde_json::from_value(input).expect("parses");
    serde_json::to_value(&parsed).expect("serializes")
}

fn ts(s: &str) -> Timestamp {
    s.parse().expect("a valid timestamp")
}

// ---------------------------------------------------------------------------------------------
// Unknown fields

#[test]
fn unknown_fields_of_a_request_are_ignored() {
    let req: ChatKitReq = serde_json::from_value(json!({
        "type": "threads.get_by_id",
        "params": {"thread_id": "thr_1", "future": true},
        "client_version": "9.9"
    }))
    .unwrap();
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({"type": "threads.get_by_id", "params": {"thread_id": "thr_1"}, "metadata": {}})
    );
}

#[test]
fn unknown_fields_of_an_item_and_an_event_are_ignored() {
    let out = reserialize::<ThreadStreamEvent>(json!({
        "type": "thread.item.done",
        "seq": 4,
        "item": {"id": "msg_1", "thread_id": "thr_1", "created_at": "2026-11-21T10:26:20Z",
                 "type": "assistant_message", "content": [], "extra": {"x": 1}}
    }));
    assert_eq!(
        out,
        json!({"type": "thread.item.done", "item": {"id": "msg_1", "thread_id": "thr_1",
            "created_at": "2026-11-21T10:26:20Z", "type": "assistant_message", "content": []}})
    );
}

#[test]
fn an_action_sent_with_widget_config_keys_keeps_only_type_and_payload() {
    let req = ChatKitReq::from_value(json!({"type": "threads.custom_action", "params": {
        "thread_id": "thr_1", "item_id": "msg_1",
        "action": {"type": "save", "payload": {"id": 7}, "handler": "server", "streaming": true}}}))
    .unwrap();
    assert_eq!(
        serde_json::to_value(&req).unwrap()["params"]["action"],
        json!({"type": "save", "payload": {"id": 7}})
    );
}

// ---------------------------------------------------------------------------------------------
// Widgets

#[test]
fn an_unknown_widget_component_round_trips_untouched() {
    let widget = json!({"type": "Card", "children": [
        {"type": "Sparkline", "id": "spark", "points": [1, 2.5, 3], "style": {"tone": "calm"},
         "children": [{"type": "Dot", "size": 2}]}
    ]});
    assert_eq!(reserialize::<WidgetRoot>(widget.clone()), widget);
    let component = widget["children"][0].clone();
    assert_eq!(reserialize::<WidgetComponent>(component.clone()), component);
}

#[test]
fn widget_nulls_are_dropped_at_every_depth_except_children_inside_plain_objects() {
    let widget = json!({"type": "Basic", "children": [
        {"type": "Foo", "x": null, "children": null, "y": [1, null, {"a": null}],
         "p": {"children": null, "z": null}}
    ]});
    // What `openai-chatkit` 1.6.5 writes for the same input (`_drop_none` + `exclude_none`).
    assert_eq!(
        reserialize::<WidgetRoot>(widget),
        json!({"type": "Basic", "children": [{"type": "Foo", "y": [1, {}], "p": {"children": null}}]})
    );
}

#[test]
fn a_widget_needs_a_type_and_a_root_must_be_card_list_view_or_basic() {
    let err = serde_json::from_value::<WidgetComponent>(json!({"value": "x"})).unwrap_err();
    assert!(err.to_string().contains("`type`"), "{err}");
    let err =
        serde_json::from_value::<WidgetRoot>(json!({"type": "Text", "value": "x"})).unwrap_err();
    assert!(err.to_string().contains("`Text`"), "{err}");
    for root in ROOT_TYPES {
        assert!(WidgetRoot::from_value(json!({"type": root, "children": []})).is_ok());
    }
}

#[test]
fn the_card_builder_writes_what_the_package_writes() {
    let card: WidgetRoot = Card::new()
        .as_form(true)
        .size(widgets::CardSize::Md)
        .padding(Spacing {
            x: Some(2.into()),
            y: Some("4px".into()),
            ..Spacing::default()
        })
        .status(WidgetStatus::with_icon("Done", "check"))
        .confirm(CardAction::new(
            "OK",
            ActionConfig::new("ok").streaming(false),
        ))
        .child(Title::new("Order").size(TitleSize::Lg))
        .child(
            Text::new("Hi")
                .id("t1")
                .streaming(true)
                .color(ThemeColor {
                    dark: "blue".into(),
                    light: "red".into(),
                })
                .width(3)
                .editable(Editable::Disabled),
        )
        .child(
            Row::new()
                .gap(2)
                .padding(1)
                .border(Border {
                    size: 1,
                    color: None,
                    style: Some(BorderStyle::Dashed),
                })
                .child(
                    widgets::Badge::new("new")
                        .color(widgets::BadgeColor::Info)
                        .pill(true),
                )
                .child(widgets::Spacer::new())
                .child(
                    Button::new()
                        .label("Go")
                        .on_click_action(ActionConfig::new("go").payload(json!({"id": 1})))
                        .style(ButtonStyle::Primary)
                        .icon_start("sparkle"),
                ),
        )
        .child(Divider::new().spacing(4))
        .child(
            Image::new("https://x.y/a.png")
                .size(40)
                .radius(widgets::RadiusValue::Full)
                .margin(2),
        )
        .into();
    // Output of `Card(...).model_dump_json(exclude_none=True, by_alias=True)` in 1.6.5.
    let python = json!({"type":"Card","asForm":true,"children":[{"type":"Title","value":"Order","size":"lg"},{"id":"t1","type":"Text","value":"Hi","streaming":true,"color":{"dark":"blue","light":"red"},"width":3.0,"editable":false},{"children":[{"type":"Badge","label":"new","color":"info","pill":true},{"type":"Spacer"},{"type":"Button","label":"Go","onClickAction":{"type":"go","payload":{"id":1},"handler":"server","loadingBehavior":"auto","streaming":true},"iconStart":"sparkle","style":"primary"}],"gap":2,"padding":1.0,"border":{"size":1,"style":"dashed"},"type":"Row"},{"type":"Divider","spacing":4},{"type":"Image","src":"https://x.y/a.png","radius":"full","size":40,"margin":2}],"size":"md","padding":{"x":2.0,"y":"4px"},"status":{"text":"Done","icon":"check"},"confirm":{"label":"OK","action":{"type":"ok","handler":"server","loadingBehavior":"auto","streaming":false}}});
    assert_eq!(serde_json::to_value(&card).unwrap(), python);
}

#[test]
fn the_list_view_form_and_chart_builders_write_what_the_package_writes() {
    let list: WidgetRoot = ListView::new()
        .limit(ListViewLimit::Auto)
        .status(WidgetStatus::with_favicon("s", "https://f/x.ico"))
        .child(
            ListViewItem::new()
                .gap(1)
                .on_click_action(
                    ActionConfig::new("pick")
                        .handler(Handler::Client)
                        .loading_behavior(LoadingBehavior::Self_),
                )
                .child(Text::new("a")),
        )
        .into();
    assert_eq!(
        serde_json::to_value(&list).unwrap(),
        json!({"type":"ListView","children":[{"type":"ListViewItem","children":[{"type":"Text","value":"a"}],"onClickAction":{"type":"pick","handler":"client","loadingBehavior":"self","streaming":true},"gap":1}],"limit":"auto","status":{"text":"s","favicon":"https://f/x.ico"}})
    );

    let form: WidgetComponent = Form::new()
        .on_submit_action(ActionConfig::new("submit"))
        .direction(widgets::Direction::Col)
        .aspect_ratio(1.5)
        .child(
            Input::new("email")
                .input_type(InputType::Email)
                .required(true),
        )
        .child(
            Select::new("c")
                .option(SelectOption::new("a", "A"))
                .searchable(true),
        )
        .child(Checkbox::new("ok").default_checked(true))
        .child(DatePicker::new("d").default_value(ts("2026-01-02")))
        .child(widgets::Textarea::new("t").rows(3))
        .child(RadioGroup::new("r").options(vec![RadioOption::new("X", "x")]))
        .child(Label::new("Email", "email"))
        .into();
    assert_eq!(
        serde_json::to_value(&form).unwrap(),
        json!({"children":[{"type":"Input","name":"email","inputType":"email","required":true},{"type":"Select","name":"c","options":[{"value":"a","label":"A"}],"searchable":true},{"type":"Checkbox","name":"ok","defaultChecked":true},{"type":"DatePicker","name":"d","defaultValue":"2026-01-02T00:00:00Z"},{"type":"Textarea","name":"t","rows":3},{"type":"RadioGroup","name":"r","options":[{"label":"X","value":"x"}]},{"type":"Label","value":"Email","fieldName":"email"}],"aspectRatio":1.5,"type":"Form","onSubmitAction":{"type":"submit","handler":"server","loadingBehavior":"auto","streaming":true},"direction":"col"})
    );

    let mut row = serde_json::Map::new();
    row.insert("m".into(), json!("Jan"));
    row.insert("v".into(), json!(1));
    let chart: WidgetComponent = widgets::Chart::new(XAxisConfig {
        data_key: "m".into(),
        hide: Some(true),
        labels: None,
    })
    .row(row)
    .add_series(Series::Bar(widgets::BarSeries {
        label: Some("V".into()),
        data_key: "v".into(),
        stack: None,
        color: None,
    }))
    .add_series(Series::Line(LineSeries {
        label: None,
        data_key: "v".into(),
        color: None,
        curve_type: Some(widgets::CurveType::Monotone),
    }))
    .into();
    assert_eq!(
        serde_json::to_value(&chart).unwrap(),
        json!({"type":"Chart","data":[{"m":"Jan","v":1}],"series":[{"type":"bar","label":"V","dataKey":"v"},{"type":"line","dataKey":"v","curveType":"monotone"}],"xAxis":{"dataKey":"m","hide":true}})
    );
}

#[test]
fn small_builders_write_what_the_package_writes() {
    let cases: Vec<(WidgetComponent, Value)> = vec![
        (
            Icon::new("lucide:rocket").size(IconSize::Xl2).into(),
            json!({"type":"Icon","name":"lucide:rocket","size":"2xl"}),
        ),
        (
            widgets::Box::new()
                .direction(widgets::Direction::Row)
                .height(10)
                .min_height(5)
                .into(),
            json!({"height":10.0,"minHeight":5,"type":"Box","direction":"row"}),
        ),
        (
            widgets::Transition::new()
                .children(Markdown::new("x").streaming(false))
                .into(),
            json!({"type":"Transition","children":{"type":"Markdown","value":"x","streaming":false}}),
        ),
        (
            widgets::Caption::new("c")
                .size(widgets::CaptionSize::Sm)
                .max_lines(2)
                .into(),
            json!({"type":"Caption","value":"c","size":"sm","maxLines":2}),
        ),
        (Col::new().into(), json!({"type": "Col"})),
    ];
    for (ours, python) in cases {
        assert_eq!(serde_json::to_value(&ours).unwrap(), python);
    }
}

#[test]
fn a_basic_root_keeps_its_untyped_props() {
    let root: WidgetRoot = BasicRoot::new()
        .prop("gap", 2)
        .prop("direction", "row")
        .child(Text::new("x"))
        .into();
    assert_eq!(
        serde_json::to_value(&root).unwrap(),
        json!({"type":"Basic","gap":2,"direction":"row","children":[{"type":"Text","value":"x"}]})
    );
}

#[test]
fn a_typed_component_can_be_read_back_from_a_widget_value() {
    let value = json!({"type": "Text", "id": "t", "value": "Hel", "streaming": true});
    let text: Text = serde_json::from_value(value).unwrap();
    assert_eq!(text.value, "Hel");
    assert_eq!(text.streaming, Some(true));
    assert_eq!(text.id.as_deref(), Some("t"));
}

#[test]
fn action_config_writes_every_default() {
    assert_eq!(
        reserialize::<ActionConfig>(json!({"type": "x"})),
        json!({"type": "x", "handler": "server", "loadingBehavior": "auto", "streaming": true})
    );
}

// ---------------------------------------------------------------------------------------------
// Metadata rules

#[test]
fn an_attachment_with_extra_metadata_never_serializes_it() {
    let input = json!({"type": "image", "id": "atc_1", "name": "a.png", "mime_type": "image/png",
        "preview_url": "https://files.example/p/atc_1", "metadata": {"bucket": "secret"},
        "upload_descriptor": {"url": "https://files.example/u/atc_1", "method": "PUT",
                              "headers": {"x-k": "v"}}, "thread_id": null});
    let attachment: Attachment = serde_json::from_value(input).unwrap();
    assert_eq!(
        attachment.metadata(),
        Some(&json!({"bucket": "secret"}).as_object().unwrap().clone())
    );
    let out = serde_json::to_value(&attachment).unwrap();
    assert_eq!(
        out,
        json!({"type": "image", "id": "atc_1", "name": "a.png", "mime_type": "image/png",
            "preview_url": "https://files.example/p/atc_1",
            "upload_descriptor": {"url": "https://files.example/u/atc_1", "method": "PUT",
                                  "headers": {"x-k": "v"}}})
    );
    // Nor inside an item or an event.
    let item = ThreadItem::UserMessage(UserMessageItem {
        id: "msg_1".into(),
        thread_id: "thr_1".into(),
        created_at: ts("2026-11-21T10:26:20Z"),
        content: vec![UserMessageContent::InputText(UserMessageTextContent {
            text: "hi".into(),
        })],
        attachments: vec![attachment.clone()],
        quoted_text: None,
        inference_options: InferenceOptions::default(),
    });
    let frame =
        serde_json::to_string(&ThreadStreamEvent::from(ThreadItemDoneEvent { item })).unwrap();
    assert!(
        !frame.contains("metadata") && !frame.contains("secret"),
        "{frame}"
    );
    // The storage form keeps it.
    assert_eq!(
        attachment.to_storage_value()["metadata"],
        json!({"bucket": "secret"})
    );
    let back: Attachment = serde_json::from_value(attachment.to_storage_value()).unwrap();
    assert_eq!(back, attachment);
}

#[test]
fn a_thread_on_the_wire_always_has_empty_metadata() {
    let mut meta = ThreadMetadata::new("thr_1", ts("2026-11-21T10:26:20.630160Z"));
    meta.metadata.insert("tenant".into(), json!("acme"));
    // The store-side record keeps it ...
    assert_eq!(
        serde_json::to_value(&meta).unwrap()["metadata"],
        json!({"tenant": "acme"})
    );
    // ... the wire thread does not.
    let thread = Thread::from(meta);
    assert_eq!(thread.metadata["tenant"], json!("acme"));
    assert_eq!(
        serde_json::to_value(&thread).unwrap(),
        json!({"id": "thr_1", "created_at": "2026-11-21T10:26:20.630160Z",
               "status": {"type": "active"}, "metadata": {},
               "items": {"data": [], "has_more": false}})
    );
}

#[test]
fn a_thread_response_drops_hidden_items_but_keeps_the_cursor() {
    let created_at = ts("2026-11-21T10:26:20Z");
    let hidden = ThreadItem::SDKHiddenContext(SDKHiddenContextItem {
        id: "shcx_1".into(),
        thread_id: "thr_1".into(),
        created_at,
        content: "cancelled".into(),
    });
    let visible = ThreadItem::EndOfTurn(EndOfTurnItem {
        id: "eot_1".into(),
        thread_id: "thr_1".into(),
        created_at,
    });
    let page = Page {
        data: vec![hidden, visible],
        has_more: true,
        after: Some("eot_1".into()),
    };
    let thread =
        Thread::from_metadata(ThreadMetadata::new("thr_1", created_at), page).into_response();
    let out = serde_json::to_value(&thread).unwrap();
    assert_eq!(
        out["items"],
        json!({"data": [{"id": "eot_1", "thread_id": "thr_1", "created_at": "2026-11-21T10:26:20Z",
                         "type": "end_of_turn"}], "has_more": true, "after": "eot_1"})
    );
}

#[test]
fn nulls_are_omitted_and_defaults_and_empty_collections_kept() {
    let out = reserialize::<ThreadItem>(json!({
        "id": "msg_1", "thread_id": "thr_1", "created_at": 1_763_720_780,
        "type": "user_message", "content": [{"type": "input_text", "text": "hi"}],
        "attachments": [], "quoted_text": null, "inference_options": {"tool_choice": null, "model": null}
    }));
    assert_eq!(
        out,
        json!({"id": "msg_1", "thread_id": "thr_1", "created_at": "2025-11-21T10:26:20Z",
               "type": "user_message", "content": [{"type": "input_text", "text": "hi"}],
               "attachments": [], "inference_options": {}})
    );
    assert_eq!(
        reserialize::<ThreadStreamEvent>(json!({"type": "error"})),
        json!({"type": "error", "code": "custom", "allow_retry": false})
    );
    assert_eq!(
        reserialize::<Annotation>(json!({"source": {"type": "entity", "id": "e", "title": "t"}})),
        json!({"type": "annotation",
               "source": {"type": "entity", "id": "e", "title": "t", "interactive": false, "data": {}}})
    );
}

#[test]
fn a_null_client_tool_result_is_accepted_and_omitted_but_a_missing_one_is_rejected() {
    let req = ChatKitReq::from_value(json!({"type": "threads.add_client_tool_output",
        "params": {"thread_id": "thr_1", "result": null}}))
    .unwrap();
    assert_eq!(
        serde_json::to_value(&req).unwrap()["params"],
        json!({"thread_id": "thr_1"})
    );
    let err = ChatKitReq::from_value(json!({"type": "threads.add_client_tool_output",
        "params": {"thread_id": "thr_1"}}))
    .unwrap_err();
    assert!(err.to_string().contains("result"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Timestamps

#[test]
fn timestamps_print_seconds_always_and_a_six_digit_fraction_only_when_non_zero() {
    for (input, printed) in [
        ("2026-11-21T10:26:20Z", "2026-11-21T10:26:20Z"),
        ("2026-11-21T10:26:20.630160Z", "2026-11-21T10:26:20.630160Z"),
        ("2026-11-21T10:26:20.63Z", "2026-11-21T10:26:20.630000Z"),
        ("2026-11-21T10:26:20.000001Z", "2026-11-21T10:26:20.000001Z"),
        ("2026-11-21T10:26:20.000000Z", "2026-11-21T10:26:20Z"),
        (
            "2026-11-21T10:26:20.1234567Z",
            "2026-11-21T10:26:20.123456Z",
        ),
    ] {
        assert_eq!(ts(input).to_string(), printed, "{input}");
        assert_eq!(serde_json::to_value(ts(input)).unwrap(), json!(printed));
    }
}

#[test]
fn timestamps_with_an_offset_are_converted_to_utc_and_without_one_read_as_utc() {
    assert_eq!(
        ts("2026-11-21T12:26:20.5+02:00").to_string(),
        "2026-11-21T10:26:20.500000Z"
    );
    assert_eq!(
        ts("2026-11-21T05:26:20-0500").to_string(),
        "2026-11-21T10:26:20Z"
    );
    assert_eq!(
        ts("2026-11-21T10:26:20.630160").to_string(),
        "2026-11-21T10:26:20.630160Z"
    );
    assert_eq!(
        ts("2026-11-21 10:26:20").to_string(),
        "2026-11-21T10:26:20Z"
    );
    assert_eq!(ts("2026-11-21T10:26Z").to_string(), "2026-11-21T10:26:00Z");
    assert_eq!(ts("2026-11-21").to_string(), "2026-11-21T00:00:00Z");
}

#[test]
fn timestamps_are_read_from_epoch_numbers_as_pydantic_reads_them() {
    let read = |v: Value| serde_json::from_value::<Timestamp>(v).unwrap().to_string();
    assert_eq!(read(json!(1_700_000_000)), "2023-11-14T22:13:20Z");
    assert_eq!(read(json!(1_700_000_000.25)), "2023-11-14T22:13:20.250000Z");
    assert_eq!(read(json!("1700000000")), "2023-11-14T22:13:20Z");
    // Above 2e10 the number is milliseconds.
    assert_eq!(
        read(json!(1_700_000_000_123_u64)),
        "2023-11-14T22:13:20.123000Z"
    );
    assert_eq!(read(json!(20_000_000_000_u64)), "2603-10-11T11:33:20Z");
    assert_eq!(read(json!(-5)), "1969-12-31T23:59:55Z");
}

#[test]
fn invalid_timestamps_are_rejected() {
    for bad in [
        "",
        "yesterday",
        "2026-13-01",
        "2026-11-21T25:00:00Z",
        "2026-11-21T10:26:20+2",
    ] {
        assert!(bad.parse::<Timestamp>().is_err(), "{bad:?}");
    }
    assert!(serde_json::from_value::<Timestamp>(json!(true)).is_err());
}

#[test]
fn a_thread_reads_a_naive_reference_timestamp_and_writes_it_with_z() {
    // The reference capture was made with naive `datetime.now()`.
    let frame = json!({"type":"thread.created","thread":{"id":"thr_adfe7cf6","created_at":"2026-11-21T10:26:20.630160","status":{"type":"active"},"metadata":{},"items":{"data":[],"has_more":false}}});
    let out = reserialize::<ThreadStreamEvent>(frame);
    assert_eq!(
        out["thread"]["created_at"],
        json!("2026-11-21T10:26:20.630160Z")
    );
}

// ---------------------------------------------------------------------------------------------
// Requests

/// Every op of 1.6.5 with minimal valid params, and whether it streams.
fn all_ops() -> Vec<(&'static str, Value, bool)> {
    let input = json!({"content": [{"type": "input_text", "text": "hi"}], "attachments": [],
                       "inference_options": {}});
    let action = json!({"type": "save", "payload": {"id": 1}});
    vec![
        ("threads.create", json!({"input": input}), true),
        (
            "threads.add_user_message",
            json!({"thread_id": "t", "input": input}),
            true,
        ),
        (
            "threads.add_client_tool_output",
            json!({"thread_id": "t", "result": {"ok": 1}}),
            true,
        ),
        (
            "threads.add_structured_input",
            json!({"thread_id": "t", "item_id": "i",
                   "input": {"status": "answered", "answers": {"q1": {"values": ["a"], "skipped": false}}}}),
            true,
        ),
        (
            "threads.retry_after_item",
            json!({"thread_id": "t", "item_id": "i"}),
            true,
        ),
        (
            "threads.custom_action",
            json!({"thread_id": "t", "item_id": "i", "action": action}),
            true,
        ),
        ("threads.get_by_id", json!({"thread_id": "t"}), false),
        (
            "threads.list",
            json!({"limit": 20, "order": "asc", "after": "t"}),
            false,
        ),
        (
            "items.list",
            json!({"thread_id": "t", "order": "desc"}),
            false,
        ),
        (
            "items.feedback",
            json!({"thread_id": "t", "item_ids": ["a", "b"], "kind": "negative"}),
            false,
        ),
        (
            "attachments.create",
            json!({"name": "a.png", "size": 12, "mime_type": "image/png"}),
            false,
        ),
        (
            "attachments.delete",
            json!({"attachment_id": "atc_1"}),
            false,
        ),
        (
            "threads.update",
            json!({"thread_id": "t", "title": "New"}),
            false,
        ),
        ("threads.delete", json!({"thread_id": "t"}), false),
        (
            "input.transcribe",
            json!({"audio_base64": "AAAA", "mime_type": "audio/webm;codecs=opus"}),
            false,
        ),
        (
            "threads.sync_custom_action",
            json!({"thread_id": "t", "action": action}),
            false,
        ),
    ]
}

#[test]
fn all_sixteen_ops_parse_into_the_right_streaming_or_non_streaming_kind() {
    let ops = all_ops();
    assert_eq!(ops.len(), 16);
    assert_eq!(StreamingReq::TYPES.len() + NonStreamingReq::TYPES.len(), 16);
    for (op, params, streaming) in ops {
        let body = json!({"type": op, "params": params, "metadata": {}});
        let req = ChatKitReq::from_slice(body.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("{op}: {e}"));
        assert_eq!(req.is_streaming(), streaming, "{op}");
        assert_eq!(is_streaming_req(&req), streaming, "{op}");
        assert_eq!(ChatKitReq::type_is_streaming(op), Some(streaming), "{op}");
        assert_eq!(req.type_name(), op);
        match (&req, streaming) {
            (ChatKitReq::Streaming(r), true) => assert_eq!(r.type_name(), op),
            (ChatKitReq::NonStreaming(r), false) => assert_eq!(r.type_name(), op),
            _ => panic!("{op} landed in the wrong kind"),
        }
        // It writes back exactly what was read (all params given, metadata `{}`).
        assert_eq!(serde_json::to_value(&req).unwrap(), body, "{op}");
        // And the kind enums parse it directly too.
        if streaming {
            assert!(
                serde_json::from_value::<StreamingReq>(body.clone()).is_ok(),
                "{op}"
            );
            assert!(
                serde_json::from_value::<NonStreamingReq>(body).is_err(),
                "{op}"
            );
        } else {
            assert!(
                serde_json::from_value::<NonStreamingReq>(body.clone()).is_ok(),
                "{op}"
            );
            assert!(
                serde_json::from_value::<StreamingReq>(body).is_err(),
                "{op}"
            );
        }
    }
}

#[test]
fn an_unknown_request_type_is_an_error_that_names_it() {
    let err = ChatKitReq::from_slice(br#"{"type":"threads.archive","params":{}}"#).unwrap_err();
    assert!(matches!(&err, ChatKitReqError::UnknownType(t) if t == "threads.archive"));
    let message = err.to_string();
    assert!(
        message.contains("unknown request type `threads.archive`"),
        "{message}"
    );
    assert!(message.contains("threads.sync_custom_action"), "{message}");
    // Through serde as well.
    let err = serde_json::from_str::<ChatKitReq>(r#"{"type":"threads.archive","params":{}}"#)
        .unwrap_err();
    assert!(err.to_string().contains("`threads.archive`"), "{err}");
}

#[test]
fn a_request_without_type_or_params_or_with_bad_json_is_rejected() {
    assert!(matches!(
        ChatKitReq::from_slice(br#"{"params":{}}"#),
        Err(ChatKitReqError::MissingType)
    ));
    let err = ChatKitReq::from_slice(br#"{"type":"threads.list"}"#).unwrap_err();
    assert!(matches!(&err, ChatKitReqError::Invalid { op, .. } if op == "threads.list"));
    assert!(err.to_string().contains("params"), "{err}");
    assert!(matches!(
        ChatKitReq::from_slice(b"{"),
        Err(ChatKitReqError::Json(_))
    ));
}

#[test]
fn list_params_default_to_descending_order_and_metadata_to_empty() {
    let req = ChatKitReq::from_value(json!({"type": "threads.list", "params": {}})).unwrap();
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({"type": "threads.list", "params": {"order": "desc"}, "metadata": {}})
    );
}

#[test]
fn the_reference_first_message_request_round_trips() {
    // §2's example of what ChatKit.js sends for a first message.
    let body = json!({"type":"threads.create","params":{"input":{
        "content":[{"type":"input_text","text":"Summarize "},{"type":"input_tag","id":"doc_7","text":"Q2 plan","data":{"kind":"doc"},"interactive":true}],
        "attachments":["atc_2a681564"],"quoted_text":null,
        "inference_options":{"tool_choice":{"id":"summarize"},"model":"gpt-4.1"}}}});
    let req = ChatKitReq::from_value(body).unwrap();
    let ChatKitReq::Streaming(StreamingReq::ThreadsCreate(create)) = &req else {
        panic!("not threads.create: {req:?}");
    };
    assert_eq!(create.params.input.attachments, ["atc_2a681564"]);
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({"type":"threads.create","metadata":{},"params":{"input":{
            "content":[{"type":"input_text","text":"Summarize "},{"type":"input_tag","id":"doc_7","text":"Q2 plan","data":{"kind":"doc"},"interactive":true}],
            "attachments":["atc_2a681564"],
            "inference_options":{"tool_choice":{"id":"summarize"},"model":"gpt-4.1"}}}})
    );
}

// ---------------------------------------------------------------------------------------------
// Stream frames captured in the reference (§3), timestamps given with `Z`

#[test]
fn the_reference_stream_frames_round_trip() {
    let frames = [
        r#"{"type":"thread.item.done","item":{"id":"msg_5fbf9c67","thread_id":"thr_adfe7cf6","created_at":"2026-11-21T10:26:20.636997Z","type":"user_message","content":[{"type":"input_text","text":"hi"}],"attachments":[{"id":"atc_2a681564","name":"a.png","mime_type":"image/png","upload_descriptor":{"url":"https://files.example/u/atc_2a681564","method":"PUT","headers":{"x-k":"v"}},"thread_id":"thr_adfe7cf6","type":"image","preview_url":"https://files.example/p/atc_2a681564"}],"inference_options":{}}}"#,
        r#"{"type":"stream_options","stream_options":{"allow_cancel":true}}"#,
        r#"{"type":"thread.item.added","item":{"id":"msg_927d679a","thread_id":"thr_adfe7cf6","created_at":"2026-11-21T10:26:20.644729Z","type":"assistant_message","content":[]}}"#,
        r#"{"type":"thread.item.updated","item_id":"msg_927d679a","update":{"type":"assistant_message.content_part.added","content_index":0,"content":{"annotations":[],"text":"","type":"output_text"}}}"#,
        r#"{"type":"thread.item.updated","item_id":"msg_927d679a","update":{"type":"assistant_message.content_part.text_delta","content_index":0,"delta":"Hello"}}"#,
        r#"{"type":"thread.item.updated","item_id":"msg_927d679a","update":{"type":"assistant_message.content_part.annotation_added","content_index":0,"annotation_index":0,"annotation":{"type":"annotation","source":{"title":"X","type":"url","url":"https://x.y"},"index":5}}}"#,
        r#"{"type":"progress_update","icon":"search","text":"Searching"}"#,
        r#"{"type":"thread.updated","thread":{"title":"Greeting","id":"thr_adfe7cf6","created_at":"2026-11-21T10:26:20.630160Z","status":{"type":"active"},"metadata":{},"items":{"data":[],"has_more":false}}}"#,
        r#"{"type":"error","code":"stream.error","allow_retry":true}"#,
        r#"{"type":"client_effect","name":"toast","data":{"t":"do"}}"#,
        r#"{"type":"notice","level":"info","message":"ok"}"#,
        r#"{"type":"thread.item.updated","item_id":"msg_1","update":{"type":"widget.streaming_text.value_delta","component_id":"md","delta":"Hel","done":false}}"#,
    ];
    for frame in frames {
        let value: Value = serde_json::from_str(frame).unwrap();
        assert_eq!(
            reserialize::<ThreadStreamEvent>(value.clone()),
            value,
            "{frame}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Errors, icons, summaries

#[test]
fn error_codes_carry_pythons_default_status_and_retry() {
    assert_eq!(ErrorCode::StreamError.default_status(), 500);
    assert!(ErrorCode::StreamError.default_allow_retry());
    let unknown = ErrorCode::from("quota.exceeded");
    assert_eq!(unknown, ErrorCode::Other("quota.exceeded".into()));
    assert_eq!(unknown.default_status(), 500);
    assert!(!unknown.default_allow_retry());

    let event = ThreadStreamEvent::from(ErrorEvent::from(StreamError::new(ErrorCode::StreamError)));
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        json!({"type": "error", "code": "stream.error", "allow_retry": true})
    );
    let event = ThreadStreamEvent::from(ErrorEvent::from(
        CustomStreamError::new("Quota reached").with_allow_retry(true),
    ));
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        json!({"type": "error", "code": "custom", "message": "Quota reached", "allow_retry": true})
    );
    // An unknown code is kept, not rejected.
    assert_eq!(
        reserialize::<ErrorEvent>(json!({"code": "quota.exceeded"})),
        json!({"code": "quota.exceeded", "allow_retry": false})
    );
}

#[test]
fn icon_names_cover_built_ins_vendor_and_lucide_names_and_keep_unknown_ones() {
    assert_eq!(IconName::from("book-open"), IconName::BookOpen);
    assert_eq!(IconName::from("write-alt2"), IconName::WriteAlt2);
    assert_eq!(IconName::BUILT_IN.len(), 64);
    for name in IconName::BUILT_IN {
        let icon = IconName::from(name);
        assert!(!matches!(icon, IconName::Other(_)), "{name}");
        assert_eq!(icon.as_str(), name);
    }
    assert_eq!(
        IconName::from("vendor:acme"),
        IconName::Vendor("vendor:acme".into())
    );
    assert_eq!(
        IconName::from("lucide:rocket"),
        IconName::Lucide("lucide:rocket".into())
    );
    let unknown = IconName::from("rocket");
    assert!(!unknown.is_known());
    assert_eq!(serde_json::to_value(&unknown).unwrap(), json!("rocket"));
}

#[test]
fn a_workflow_summary_is_told_apart_by_its_keys() {
    let custom = reserialize::<Workflow>(
        json!({"type": "custom", "tasks": [], "summary": {"title": "x", "duration": 3}}),
    );
    assert_eq!(custom["summary"], json!({"title": "x"}));
    let duration = reserialize::<Workflow>(
        json!({"type": "reasoning", "tasks": [], "summary": {"duration": 3}}),
    );
    assert_eq!(
        duration,
        json!({"type": "reasoning", "tasks": [], "summary": {"duration": 3}, "expanded": false})
    );
}

#[test]
fn a_generated_image_progress_is_written_as_a_float() {
    assert_eq!(
        reserialize::<ThreadItemUpdate>(
            json!({"type": "generated_image.updated", "image": {"id": "i", "url": "u"}, "progress": 1})
        ),
        json!({"type": "generated_image.updated", "image": {"id": "i", "url": "u"}, "progress": 1.0})
    );
}

#[test]
fn a_sync_custom_action_response_without_an_item_is_an_empty_object() {
    assert_eq!(
        serde_json::to_value(SyncCustomActionResponse::default()).unwrap(),
        json!({})
    );
}
