//! Reading the spec directory: every `*.yaml` below it, in sorted path order.

use std::fs;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostics, Pos};
use crate::raw;

/// One parsed spec file.
#[derive(Debug)]
pub struct SourceFile {
    /// The path shown in diagnostics: the spec directory's name joined with the file's relative path.
    pub display: PathBuf,
    /// The file's contents, parsed.
    pub file: raw::File,
}

/// The text of every `*.yaml` file below `spec_dir`, sorted by path, each with the path shown
/// in diagnostics (the spec directory's name joined with the file's relative path).
pub fn read_dir(spec_dir: &Path, diags: &mut Diagnostics) -> Vec<(PathBuf, String)> {
    let mut paths = Vec::new();
    if let Err(e) = collect_yaml(spec_dir, &mut paths) {
        diags.error(
            None,
            format!("cannot read the spec directory {}: {e}", spec_dir.display()),
            "run the command from the repository root, or pass the right spec directory",
        );
        return Vec::new();
    }
    paths.sort();
    let prefix = spec_dir.file_name().map(PathBuf::from).unwrap_or_default();
    let mut sources = Vec::new();
    for path in paths {
        let rel = path.strip_prefix(spec_dir).unwrap_or(&path);
        let display = prefix.join(rel);
        match fs::read_to_string(&path) {
            Ok(text) => sources.push((display, text)),
            Err(e) => diags.error(
                Some(&Pos::new(&display, 1, 1)),
                format!("cannot read file: {e}"),
                "check the file's permissions and that it is UTF-8",
            ),
        }
    }
    sources
}

/// Parses spec files given as (shown path, text) pairs, in the order given.
pub fn parse_sources(sources: &[(PathBuf, String)], diags: &mut Diagnostics) -> Vec<SourceFile> {
    let mut files = Vec::new();
    // Parsed on every core; problems and files are gathered in source order.
    let parsed = crate::par_map(sources, |(display, text)| {
        let mut local = Diagnostics::default();
        let file = parse_file(display, text, &mut local);
        (display.clone(), file, local)
    });
    for (display, file, local) in parsed {
        diags.extend(local);
        if let Some(file) = file {
            files.push(SourceFile { display, file });
        }
    }
    if sources.is_empty() && diags.is_empty() {
        diags.error(None, "the spec has no *.yaml files", "the spec needs at least api.yaml; see spec/README.md");
    }
    files
}

/// Parses one file's text; on a YAML or shape error, records it and returns `None`.
pub fn parse_file(display: &Path, text: &str, diags: &mut Diagnostics) -> Option<raw::File> {
    let mut options = serde_saphyr::Options::default();
    // YAML 1.2 booleans only: `yes`, `no`, `on`, `off` stay strings (`NO` is a country code).
    options.strict_booleans = true;
    match serde_saphyr::from_str_with_options::<raw::File>(text, options) {
        Ok(file) => Some(file),
        Err(e) => {
            let (line, column) = e.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
            let message = yaml_message(&e);
            let hint = unknown_key_suggestion(&message).unwrap_or_else(|| yaml_hint(&message).to_owned());
            diags.error(Some(&Pos::new(display, line.max(1), column.max(1))), message, hint);
            None
        }
    }
}

/// The parser's message without its own location prefix and source snippet (we print our own).
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let first = text.lines().next().unwrap_or_default().trim();
    let first = first.strip_prefix("error:").unwrap_or(first).trim();
    // "line 3 column 5: message at line 3, column 5" -> "message"
    let msg = match first.strip_prefix("line ") {
        Some(rest) => rest.split_once(": ").map(|(_, m)| m).unwrap_or(rest),
        None => first,
    };
    let msg = match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains(", column ") => &msg[..i],
        _ => msg,
    };
    msg.to_owned()
}

/// For "unknown field `respons`, expected one of a, b, response": "did you mean `response`?".
fn unknown_key_suggestion(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let expected = rest
        .split_once("expected one of ")
        .map(|(_, list)| list)
        .or_else(|| rest.split_once("expected ").map(|(_, one)| one))?;
    let candidates = expected.split(", ").map(|c| c.trim().trim_matches('`'));
    let best = crate::diag::closest(key, candidates)?;
    Some(format!("did you mean `{best}`? (spec/README.md lists every key)"))
}

fn yaml_hint(message: &str) -> &'static str {
    let prose_key = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
        .is_some_and(|key| key.contains(' '));
    if prose_key {
        "inside `{ ... }` a comma ends the value: put text that contains commas in quotes"
    } else if message.contains("unknown field") {
        "remove the key or fix its spelling; spec/README.md lists every key"
    } else if message.contains("missing field") {
        "add the key; spec/README.md says which keys are required"
    } else if message.contains("duplicate mapping key") {
        "each key may appear once in a mapping; remove or rename one of them"
    } else if message.contains("unknown variant") {
        "use one of the values the message lists"
    } else if message.contains("invalid type") || message.contains("expected") {
        "the value has the wrong shape here; compare with the example in spec/README.md"
    } else {
        "fix the YAML at this position"
    }
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}
