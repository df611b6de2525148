//! The check report (检测报告): a run's items with property, stage, outcome, evidence and time,
//! and a summary per property, as an HTML page and as a PDF.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use fonds_domain::{Outcome, Property};
use fonds_formats::pdf::{PdfDocument, PdfLine, render};
use time::OffsetDateTime;
use time::macros::format_description;

use super::CheckRunView;

/// Counts of outcomes per property.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    passed: usize,
    failed: usize,
    not_applicable: usize,
    not_run: usize,
}

fn tallies(view: &CheckRunView) -> BTreeMap<Property, Tally> {
    let mut map: BTreeMap<Property, Tally> = Property::ALL
        .into_iter()
        .map(|p| (p, Tally::default()))
        .collect();
    for result in &view.results {
        let tally = map.entry(result.item.spec().property).or_default();
        match result.outcome {
            Outcome::Passed => tally.passed += 1,
            Outcome::Failed => tally.failed += 1,
            Outcome::NotApplicable(_) => tally.not_applicable += 1,
            Outcome::NotRun(_) => tally.not_run += 1,
        }
    }
    map
}

fn when(at: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    at.format(&format).unwrap_or_else(|_| at.to_string())
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn verdict(view: &CheckRunView) -> &'static str {
    if view.run.passed {
        "通过（无错误级未通过项）"
    } else {
        "未通过（存在错误级未通过项）"
    }
}

fn outcome_text(outcome: &Outcome) -> String {
    match outcome.reason() {
        Some(reason) => format!("{}：{reason}", outcome.name_zh()),
        None => outcome.name_zh().to_owned(),
    }
}

/// The report as a self-contained HTML page in Chinese.
#[must_use]
pub fn render_html(view: &CheckRunView) -> String {
    let run = &view.run;
    let stage = run.stage;
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>四性检测报告 {id}</title>\n<style>\n\
         body{{font-family:\"Noto Sans CJK SC\",\"Microsoft YaHei\",sans-serif;margin:2em;color:#222}}\n\
         table{{border-collapse:collapse;width:100%;margin:1em 0}}\n\
         th,td{{border:1px solid #bbb;padding:4px 6px;text-align:left;vertical-align:top;font-size:14px}}\n\
         th{{background:#f0f0f0}}\n.failed{{color:#b00020;font-weight:bold}}\n\
         .not_run{{color:#a15c00}}\n.passed{{color:#1b5e20}}\n.not_applicable{{color:#666}}\n\
         </style>\n</head>\n<body>\n<h1>电子会计档案四性检测报告</h1>\n<table>\n\
         <tr><th>检测编号</th><td>{id}</td></tr>\n\
         <tr><th>检测环节</th><td>{occasion}（{stage_zh}，{stage_code}）</td></tr>\n\
         <tr><th>开始时间</th><td>{started}</td></tr>\n<tr><th>结束时间</th><td>{finished}</td></tr>\n\
         <tr><th>检测记录数</th><td>{records}</td></tr>\n<tr><th>结论</th><td>{verdict}</td></tr>\n</table>\n",
        id = run.id,
        occasion = run.occasion.name_zh(),
        stage_zh = stage.name_zh(),
        stage_code = stage.code(),
        started = when(run.started_at),
        finished = when(run.finished_at),
        records = run.record_count,
        verdict = verdict(view),
    );
    html.push_str(
        "<h2>按属性汇总</h2>\n<table>\n<tr><th>属性</th><th>通过</th><th>未通过</th>\
         <th>未检测</th><th>不适用</th></tr>\n",
    );
    for (property, tally) in tallies(view) {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            property.name_zh(),
            tally.passed,
            tally.failed,
            tally.not_run,
            tally.not_applicable
        );
    }
    html.push_str(
        "</table>\n<h2>检测项明细</h2>\n<table>\n<tr><th>记录</th><th>文件</th><th>检测项</th>\
         <th>属性</th><th>级别</th><th>结果</th><th>依据</th><th>时间</th></tr>\n",
    );
    for r in &view.results {
        let spec = r.item.spec();
        let _ = writeln!(
            html,
            "<tr><td>{record}</td><td>{file}</td><td>{code} {name}</td><td>{property}</td>\
             <td>{severity}</td><td class=\"{class}\">{outcome}</td><td>{evidence}</td><td>{at}</td></tr>",
            record = escape(&r.record_key),
            file = escape(r.file_name.as_deref().unwrap_or("—")),
            code = r.item.code(stage),
            name = spec.name_zh,
            property = spec.property.name_zh(),
            severity = match r.severity {
                fonds_domain::Severity::Error => "错误",
                fonds_domain::Severity::Warning => "警告",
            },
            class = r.outcome.as_str(),
            outcome = escape(&outcome_text(&r.outcome)),
            evidence = escape(&r.evidence),
            at = when(r.checked_at),
        );
    }
    html.push_str(
        "</table>\n<p>说明：“未检测”表示该项未能执行（原因见结果栏），不视为通过；\
         检测项编号为 Fonds 目录编号，前缀为 DA/T 70 环节代码（GD 归档、YJ 移交与接收、CQ 长期保存）。</p>\n\
         </body>\n</html>\n",
    );
    html
}

/// The report as a PDF.
#[must_use]
pub fn render_pdf(view: &CheckRunView) -> Vec<u8> {
    let run = &view.run;
    let stage = run.stage;
    let mut lines = vec![
        PdfLine::Heading("电子会计档案四性检测报告".into()),
        PdfLine::KeyValue("检测编号".into(), run.id.to_string()),
        PdfLine::KeyValue(
            "检测环节".into(),
            format!(
                "{}（{}，{}）",
                run.occasion.name_zh(),
                stage.name_zh(),
                stage.code()
            ),
        ),
        PdfLine::KeyValue("开始时间".into(), when(run.started_at)),
        PdfLine::KeyValue("结束时间".into(), when(run.finished_at)),
        PdfLine::KeyValue("检测记录数".into(), run.record_count.to_string()),
        PdfLine::KeyValue("结论".into(), verdict(view).into()),
        PdfLine::Rule,
        PdfLine::Heading("按属性汇总".into()),
    ];
    for (property, t) in tallies(view) {
        lines.push(PdfLine::KeyValue(
            property.name_zh().into(),
            format!(
                "通过 {}，未通过 {}，未检测 {}，不适用 {}",
                t.passed, t.failed, t.not_run, t.not_applicable
            ),
        ));
    }
    lines.push(PdfLine::Rule);
    lines.push(PdfLine::Heading("检测项明细".into()));
    for r in &view.results {
        let spec = r.item.spec();
        let file = r
            .file_name
            .as_deref()
            .map_or_else(String::new, |f| format!(" / {f}"));
        lines.push(PdfLine::Text(format!(
            "{} {}（{}）— 记录 {}{file}\n结果：{}\n依据：{}\n时间：{}",
            r.item.code(stage),
            spec.name_zh,
            spec.property.name_zh(),
            r.record_key,
            outcome_text(&r.outcome),
            r.evidence,
            when(r.checked_at)
        )));
    }
    let created = run.finished_at;
    render(&PdfDocument {
        title: format!("四性检测报告 {}", run.id),
        subject: Some(format!("{} {}", run.occasion.name_zh(), stage.code())),
        creation_date: time::PrimitiveDateTime::new(created.date(), created.time()),
        lines,
    })
}
