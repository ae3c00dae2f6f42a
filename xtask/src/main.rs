//! Project automation. Run from anywhere in the workspace:
//!
//! - `cargo xtask codegen`: regenerate `generated-client/src/generated/` (and the generated test
//!   support in `generated-client/tests/generated/`) from `spec/`.
//! - `cargo xtask codegen --check`: change nothing; fail naming each stale file.
//! - `cargo xtask test`: the whole test suite, with everything it needs.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use codegen::output::{self, COMMAND};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen [--check] [--spec DIR] [--out DIR]
                      regenerate the client from spec/ into generated-client/ (its src/generated/
                      and tests/generated/ directories; --out names another crate root)
                      (--check: change nothing, fail naming each stale file)
  test                run the whole test suite (what CI runs)
  audit [--openapi FILE] [--verbose] [--draft OPERATION_ID]...
                      compare spec/ with Cal.com's OpenAPI document (default: $CALCOM_OPENAPI or
                      ../shared/calcom/openapi-v2-fea00aa.json); fails on unexplained drift
                      (--draft ID: print a YAML draft of upstream operation ID and the
                      models it needs, from the document's shapes, for a maintainer to finish)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["codegen", rest @ ..] => match CodegenArgs::parse(rest) {
            Some(a) => codegen(a),
            None => {
                eprintln!("{USAGE}");
                ExitCode::from(2)
            }
        },
        ["test"] => test(),
        ["audit", rest @ ..] => audit(rest),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root (the parent of this crate's directory).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace root").to_path_buf()
}

struct CodegenArgs {
    check: bool,
    spec: PathBuf,
    out: PathBuf,
}

impl CodegenArgs {
    fn parse(mut args: &[&str]) -> Option<CodegenArgs> {
        let root = root();
        let mut a = CodegenArgs { check: false, spec: root.join("spec"), out: root.join("generated-client") };
        while let Some((first, rest)) = args.split_first() {
            args = rest;
            match *first {
                "--check" => a.check = true,
                "--spec" | "--out" => {
                    let (value, rest) = args.split_first()?;
                    args = rest;
                    if *first == "--spec" { a.spec = PathBuf::from(value) } else { a.out = PathBuf::from(value) }
                }
                _ => return None,
            }
        }
        Some(a)
    }
}

fn codegen(args: CodegenArgs) -> ExitCode {
    let CodegenArgs { check, spec, out: out_dir } = args;
    let files = match codegen::generate(&spec) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("{e}");
            eprintln!("nothing was written");
            return ExitCode::FAILURE;
        }
    };
    let root = root();
    let shown = out_dir.strip_prefix(&root).unwrap_or(&out_dir).to_path_buf();
    let shown = shown.as_path();
    // What the regeneration changes for users, from the checked-in surface to the new one.
    let surface_path = out_dir.join(codegen::surface::PATH);
    let old_surface = std::fs::read_to_string(&surface_path).ok();
    let new_surface = files
        .iter()
        .find(|f| f.path == Path::new(codegen::surface::PATH))
        .map(|f| f.contents.as_str())
        .unwrap_or_default();
    match &old_surface {
        Some(old) if old != new_surface => {
            let report = codegen::surface::compare(old, new_surface);
            print!("{}", report.render());
            let manifest = std::fs::read_to_string(out_dir.join("Cargo.toml")).unwrap_or_default();
            let version = codegen::surface::manifest_version(&manifest);
            if let Some(next) = version.as_deref().and_then(|v| report.next_version(v)) {
                println!(
                    "release: {} -> version {next} (Cargo.toml has {}); record it in CHANGELOG.md",
                    match report.release() {
                        codegen::surface::Release::Breaking => "breaking",
                        codegen::surface::Release::Compatible => "compatible",
                        codegen::surface::Release::None => "no user-facing change",
                    },
                    version.as_deref().unwrap_or("?")
                );
            }
        }
        Some(_) => {}
        None => println!("no recorded surface at {}: nothing to compare with", surface_path.display()),
    }
    let result = if check { output::diff(&out_dir, &files) } else { output::write(&out_dir, &files) };
    match result {
        Err(e) => {
            eprintln!("error: cannot {} {}: {e}", if check { "read" } else { "write" }, out_dir.display());
            ExitCode::FAILURE
        }
        Ok(changes) if changes.is_empty() => {
            println!("{} generated files up to date", files.len());
            ExitCode::SUCCESS
        }
        Ok(changes) if check => {
            for line in changes.lines(shown) {
                eprintln!("stale: {line}");
            }
            eprintln!("the generated client does not match the spec: run `{COMMAND}` and commit the result");
            ExitCode::FAILURE
        }
        Ok(changes) => {
            for line in changes.lines(shown) {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
    }
}

fn audit(args: &[&str]) -> ExitCode {
    let root = root();
    let mut openapi = codegen::audit::openapi_path(&root);
    let mut spec = root.join("spec");
    let mut verbose = false;
    let mut drafts = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--openapi" | "--spec" => {
                let Some(value) = args.next() else {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                };
                if *arg == "--openapi" { openapi = PathBuf::from(value) } else { spec = PathBuf::from(value) }
            }
            "--verbose" | "-v" => verbose = true,
            "--draft" => match args.next() {
                Some(id) => drafts.push(*id),
                None => {
                    eprintln!("{USAGE}");
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let api = match codegen::load_model(&spec) {
        Ok(api) => api,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let doc = match std::fs::read_to_string(&openapi)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(doc) => doc,
        Err(e) => {
            eprintln!("error: cannot read the OpenAPI document {}: {e}", openapi.display());
            return ExitCode::FAILURE;
        }
    };
    if !drafts.is_empty() {
        let source = openapi.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut ok = true;
        for id in drafts {
            match codegen::draft::draft(&api, &doc, &source, id) {
                Ok(text) => println!("{text}"),
                Err(e) => {
                    eprintln!("error: {e}");
                    ok = false;
                }
            }
        }
        return if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE };
    }
    let report = codegen::audit::audit(&api, &doc);
    print!("{}", report.render(verbose));
    if report.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn run(what: &str, cmd: &mut Command) -> bool {
    eprintln!("==> {what}");
    match cmd.status() {
        Ok(s) if s.success() => true,
        Ok(s) => {
            eprintln!("==> {what} failed ({s})");
            false
        }
        Err(e) => {
            eprintln!("==> {what} could not start: {e}");
            false
        }
    }
}

/// Installs the pinned Prism (tools/prism/package-lock.json) for the request-validation test.
/// Without npm the Prism test skips itself with a notice; with `CI=true` a missing npm fails here.
fn install_prism(root: &Path) -> bool {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let npm_found =
        Command::new("npm").arg("--version").stdout(std::process::Stdio::null()).status().is_ok_and(|s| s.success());
    if !npm_found {
        if ci {
            eprintln!("==> npm not found, and CI=true: the Prism test cannot run");
            return false;
        }
        eprintln!("==> NOTICE: npm not found; the Prism test will be skipped");
        return true;
    }
    let mut npm = Command::new("npm");
    npm.args(["ci", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(root.join("tools/prism"));
    run("install the pinned Prism (npm ci in tools/prism)", &mut npm)
}

fn test() -> ExitCode {
    let root = root();
    if !install_prism(&root) {
        return ExitCode::FAILURE;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let steps: Vec<(&str, Command)> = vec![
        ("generated code is up to date", {
            let mut c = Command::new(&cargo);
            c.args(["xtask", "codegen", "--check"]).current_dir(&root);
            c
        }),
        ("cargo test --workspace --all-features", {
            let mut c = Command::new(&cargo);
            c.args(["test", "--workspace", "--all-targets", "--all-features"]).current_dir(&root);
            c
        }),
        ("doc tests", {
            let mut c = Command::new(&cargo);
            c.args(["test", "--workspace", "--doc", "--all-features"]).current_dir(&root);
            c
        }),
        ("docs build without warnings", {
            let mut c = Command::new(&cargo);
            c.args(["doc", "--workspace", "--no-deps", "--all-features"])
                .env("RUSTDOCFLAGS", "-D warnings")
                .current_dir(&root);
            c
        }),
    ];
    for (what, mut cmd) in steps {
        if !run(what, &mut cmd) {
            return ExitCode::FAILURE;
        }
    }
    eprintln!("==> all checks passed");
    ExitCode::SUCCESS
}
