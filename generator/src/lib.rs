//! The Cal.com API v2 client generator.
//!
//! `spec/*.yaml` -> [`load`] (parse, unknown keys rejected) -> [`model::lower`] (validate, resolve
//! references, decide names; every problem reported with file:line:column) -> [`emit`] (tokens)
//! -> [`output`] (header, syn, prettyplease, write only what changed).
//!
//! `cargo xtask codegen` is a thin binary over [`generate`], [`output::write`] and [`output::diff`].

pub mod audit;
pub mod diag;
pub mod draft;
pub mod emit;
pub mod examples;
pub mod features;
pub mod load;
pub mod lower;
pub mod model;
pub mod naming;
pub mod output;
pub mod path;
pub mod raw;
pub mod surface;
pub mod types;

use std::path::{Path, PathBuf};

pub use diag::{Diagnostic, Diagnostics};
pub use output::{Changes, RenderedFile};

/// Why generation failed.
#[derive(Debug)]
pub enum Error {
    /// The spec has problems; nothing was generated.
    Spec(Diagnostics),
    /// The generator produced code that does not parse (a generator bug).
    Render(output::RenderError),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Spec(d) => d.fmt(f),
            Error::Render(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

/// Reads and validates the spec below `spec_dir`.
pub fn load_model(spec_dir: &Path) -> Result<model::Api, Diagnostics> {
    let mut diags = Diagnostics::default();
    let sources = load::read_dir(spec_dir, &mut diags);
    diags.into_result()?;
    load_model_from(&sources)
}

/// Validates a spec given as (shown path, YAML text) pairs.
pub fn load_model_from(sources: &[(PathBuf, String)]) -> Result<model::Api, Diagnostics> {
    let mut diags = Diagnostics::default();
    let files = load::parse_sources(sources, &mut diags);
    // A file that does not parse would make every reference into it look unknown: report the
    // syntax and shape errors of all files first, and check meaning once they all parse.
    diags.into_result()?;
    model::lower(&files)
}

/// Generates every file of the client's generated directory from the spec below `spec_dir`.
pub fn generate(spec_dir: &Path) -> Result<Vec<RenderedFile>, Error> {
    render(&load_model(spec_dir).map_err(Error::Spec)?)
}

/// Generates the client's files from a spec given as (shown path, YAML text) pairs.
pub fn generate_from(sources: &[(PathBuf, String)]) -> Result<Vec<RenderedFile>, Error> {
    render(&load_model_from(sources).map_err(Error::Spec)?)
}

fn render(api: &model::Api) -> Result<Vec<RenderedFile>, Error> {
    // Token streams cannot cross threads, so each thread emits and formats whole files.
    let plan = emit::Plan::new(api);
    let mut files: Vec<RenderedFile> = par_map(&plan.jobs, |job| output::render(&emit::emit_one(api, &plan, *job)))
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(Error::Render)?;
    files.push(RenderedFile { path: PathBuf::from(surface::PATH), contents: surface::render(api) });
    Ok(files)
}

/// `items.iter().map(f)` on every core, results in the order of `items`. Formatting dominates
/// a run and the files are independent, so the output is the same bytes, sooner.
pub(crate) fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len().max(1));
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner()).into_iter().flatten().collect()
}
