//! Heuristics that tell a script from ordinary text: batch, PowerShell, JavaScript, VBScript.
//!
//! Two kinds of evidence, both on the lower-cased text. A marker is a phrase that practically
//! only occurs in one language's code (`on error resume next`, `invoke-expression`,
//! `new activexobject(`) and decides alone. Otherwise lines are counted that read like a
//! statement of one language; the text is that language's script when at least three lines and
//! at least three in ten of its non-blank lines do. These are heuristics: a script can be
//! written to slip past them, and prose quoting code can trip them.

use super::format::ScriptKind;

/// Lines looked at for the statement count.
const MAX_LINES: usize = 200;

/// Phrases that decide alone, by language, in the order they are tried.
const MARKERS: [(ScriptKind, &[&str]); 4] = [
    (
        ScriptKind::PowerShell,
        &[
            "invoke-expression",
            "set-executionpolicy",
            "invoke-webrequest",
            "[cmdletbinding(",
            "$psscriptroot",
            "-encodedcommand",
            "new-object system.net.webclient",
            "new-object net.webclient",
        ],
    ),
    (
        ScriptKind::JavaScript,
        &[
            "new activexobject(",
            "document.write(",
            "require('child_process')",
            "require(\"child_process\")",
            "wscript.createobject(",
        ],
    ),
    (
        ScriptKind::VbScript,
        &[
            "on error resume next",
            "createobject(\"wscript.shell\")",
            "wscript.echo ",
            "executeglobal",
        ],
    ),
    (
        ScriptKind::WindowsBatch,
        &["%~dp0", "%comspec%", "\ngoto :"],
    ),
];

/// The script language the text reads as, if any.
pub(super) fn detect(sample: &str) -> Option<ScriptKind> {
    let lower = sample.to_ascii_lowercase();
    let lines: Vec<&str> = lower
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take(MAX_LINES)
        .collect();
    if lines
        .first()
        .is_some_and(|first| first.starts_with("@echo") || first.starts_with("@rem"))
    {
        return Some(ScriptKind::WindowsBatch);
    }
    if let Some((kind, _)) = MARKERS
        .iter()
        .find(|(_, markers)| markers.iter().any(|marker| lower.contains(marker)))
    {
        return Some(*kind);
    }
    let statements =
        |is_statement: fn(&str) -> bool| lines.iter().filter(|l| is_statement(l)).count();
    [
        (ScriptKind::WindowsBatch, statements(is_batch_statement)),
        (ScriptKind::PowerShell, statements(is_powershell_statement)),
        (ScriptKind::JavaScript, statements(is_javascript_statement)),
        (ScriptKind::VbScript, statements(is_vbscript_statement)),
    ]
    .into_iter()
    .filter(|(_, count)| *count >= 3 && count * 10 >= lines.len() * 3)
    .max_by_key(|(_, count)| *count)
    .map(|(kind, _)| kind)
}

fn is_batch_statement(line: &str) -> bool {
    const STARTS: [&str; 12] = [
        "rem ",
        "::",
        "setlocal",
        "endlocal",
        "goto ",
        "call ",
        "if exist ",
        "if not exist ",
        "if errorlevel ",
        "exit /b",
        "cd /d ",
        "set /a ",
    ];
    STARTS.iter().any(|start| line.starts_with(start)) || line == "pause"
}

fn is_powershell_statement(line: &str) -> bool {
    const VERBS: [&str; 7] = [
        "get-", "set-", "new-", "write-", "remove-", "start-", "invoke-",
    ];
    const STARTS: [&str; 3] = ["param(", "import-module ", "#requires "];
    let assignment = line.starts_with('$')
        && line[1..].starts_with(|c: char| c.is_ascii_alphabetic())
        && line.contains(" = ");
    // Verb-Noun cmdlets: the hyphen directly joins the verb and a noun.
    let cmdlet = VERBS.iter().any(|verb| {
        line.strip_prefix(verb)
            .is_some_and(|noun| noun.starts_with(|c: char| c.is_ascii_alphabetic()))
    });
    assignment || cmdlet || STARTS.iter().any(|start| line.starts_with(start))
}

fn is_javascript_statement(line: &str) -> bool {
    const STARTS: [&str; 10] = [
        "var ",
        "let ",
        "const ",
        "function ",
        "function(",
        "if (",
        "for (",
        "while (",
        "return ",
        "try {",
    ];
    let ends_like_code = line.ends_with(';') || line.ends_with('{') || line.ends_with('}');
    (STARTS.iter().any(|start| line.starts_with(start)) && ends_like_code)
        || line.starts_with("//")
        || line == "}"
        || line == "};"
}

fn is_vbscript_statement(line: &str) -> bool {
    const STARTS: [&str; 9] = [
        "dim ",
        "sub ",
        "private sub ",
        "public sub ",
        "end sub",
        "end function",
        "end if",
        "msgbox ",
        "wscript.",
    ];
    STARTS.iter().any(|start| line.starts_with(start))
        || (line.starts_with("set ") && line.contains(" = "))
        || (line.starts_with("if ") && line.ends_with(" then"))
        || line == "next"
        || line == "wend"
}
